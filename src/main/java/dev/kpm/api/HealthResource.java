package dev.kpm.api;

import dev.kpm.api.error.ErrorResponses;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * kpm's probes (docs/api.md §8.13): {@code GET /ready}, 200 when kpm can serve (its database
 * answers, the start-up reconcile is done), else 503 with the reason and {@code Retry-After} — the
 * readiness probe, public as eKuiper's {@code /ping} (the liveness probe) is; and {@code GET
 * /metrics}, the Prometheus text, for viewers.
 */
@Path("/")
public final class HealthResource {
  /** Seconds a client is asked to wait before it probes again. */
  public static final int RETRY_AFTER_SECONDS = 5;

  /** Prometheus' text format 0.0.4. */
  public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final Health health;

  public HealthResource(Health health) {
    this.health = health;
  }

  @GET
  @Path("ready")
  public Response ready() {
    Optional<String> reason = health.notReady();
    if (reason.isEmpty()) {
      return Response.ok().build();
    }
    return Response.status(503)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .header(HttpHeaders.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS))
        .entity(ErrorResponses.body(1000, reason.get()))
        .build();
  }

  @GET
  @Path("metrics")
  @Produces(MediaType.TEXT_PLAIN)
  public Response metrics() {
    return Response.ok(health.metrics().getBytes(StandardCharsets.UTF_8), PROMETHEUS_TEXT).build();
  }
}
