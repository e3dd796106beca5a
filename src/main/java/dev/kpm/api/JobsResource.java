package dev.kpm.api;

import dev.kpm.audit.AuditAction;
import dev.kpm.install.JobControl;
import dev.kpm.install.JobView;
import dev.kpm.plugin.PluginException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** kpm's install jobs: progress and cancel of every create and update (docs/api.md §8.15). */
@Path("/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class JobsResource {
  private final JobControl jobs;

  @Inject
  public JobsResource(JobControl jobs) {
    this.jobs = jobs;
  }

  @GET
  public List<JobView> list(@QueryParam("state") String state, @QueryParam("limit") String limit) {
    return jobs.jobs(state == null || state.isEmpty() ? null : state, number(limit, "limit", 50));
  }

  @GET
  @Path("{id}")
  public JobView job(@PathParam("id") String id) {
    return jobs.job(number(id, "id", -1));
  }

  @DELETE
  @Path("{id}")
  public JobView cancel(@PathParam("id") String id, @Context ContainerRequestContext request) {
    return jobs.cancel(number(id, "id", -1), Acts.of(request, AuditAction.JOB_CANCEL));
  }

  private static int number(String value, String what, int fallback) {
    if ((value == null || value.isEmpty()) && fallback >= 0) {
      return fallback;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      String shown =
          value == null ? "" : value.length() > 20 ? value.substring(0, 20) + "…" : value;
      throw PluginException.invalid("invalid " + what + " " + shown + ": expected a number");
    }
  }
}
