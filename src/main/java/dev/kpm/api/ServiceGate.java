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

  public ServiceGate(BooleanSupplier stopped) {
    this.stopped = stopped;
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
    }
  }
}
