package dev.kpm.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.function.BooleanSupplier;

/**
 * Once kpm has been stopped inside a shared container ({@code ?stop=1} when kpm does not own the
 * JVM), every request gets 503 until the web application is restarted.
 */
@PreMatching
public final class ServiceGate implements ContainerRequestFilter {
  private final BooleanSupplier stopped;
  private final Health health;

  public ServiceGate(BooleanSupplier stopped) {
    this(stopped, null);
  }

  /** Also refuses changes of the plugin state while {@code health} says the node is behind. */
  public ServiceGate(BooleanSupplier stopped, Health health) {
    this.stopped = stopped;
    this.health = health;
  }

  /** What a node behind its fleet refuses: plugin changes and imports (docs/api.md §8.20). */
  private static boolean changesPlugins(ContainerRequestContext request) {
    String method = request.getMethod();
    if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
      return false;
    }
    String path = request.getUriInfo().getPath(false);
    String p = path.startsWith("/") ? path.substring(1) : path;
    return p.startsWith("plugins/") || p.startsWith("data/import");
  }

  @Override
  public void filter(ContainerRequestContext request) {
    if (stopped.getAsBoolean()) {
      request.abortWith(
          Response.status(503)
              .type(MediaType.APPLICATION_JSON_TYPE)
              .entity(
                  "{\"error\":1000,\"message\":\"kpm is stopped; restart the web application to"
                      + " start it again\"}\n")
              .build());
      return;
    }
    if (health != null && changesPlugins(request)) {
      health
          .behind()
          .ifPresent(
              reason ->
                  request.abortWith(
                      Response.status(503)
                          .type(MediaType.APPLICATION_JSON_TYPE)
                          .header("Retry-After", "5")
                          .entity(dev.kpm.api.error.ErrorResponses.body(1000, reason))
                          .build()));
    }
  }
}
