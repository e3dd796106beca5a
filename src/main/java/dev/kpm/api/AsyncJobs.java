package dev.kpm.api;

import dev.kpm.install.JobView;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Arrays;
import java.util.Locale;

/** kpm's {@code Prefer: respond-async} on plugin creates and updates (docs/api.md §8.15). */
final class AsyncJobs {
  private AsyncJobs() {}

  /** Whether the {@code Prefer} header (RFC 7240) asks for {@code respond-async}. */
  static boolean requested(String prefer) {
    return prefer != null
        && Arrays.stream(prefer.split(","))
            .map(p -> p.split(";", 2)[0].strip().toLowerCase(Locale.ROOT))
            .anyMatch("respond-async"::equals);
  }

  /** 202 with the job and {@code Location: /jobs/{id}}. */
  static Response accepted(JobView job) {
    return Response.status(202)
        .location(URI.create("/jobs/" + job.id()))
        .header("Preference-Applied", "respond-async")
        .entity(job)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .build();
  }
}
