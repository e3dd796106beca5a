package dev.kpm.api;

import dev.kpm.audit.Act;
import dev.kpm.audit.Actor;
import dev.kpm.audit.AuditAction;
import dev.kpm.fleet.FleetNodes;
import dev.kpm.install.DataPlan;
import dev.kpm.install.DataTransfer;
import dev.kpm.install.PluginChanges;
import dev.kpm.install.PortableChanges;
import dev.kpm.plugin.PluginException;
import dev.kpm.plugin.PluginReads;
import dev.kpm.upload.RemoteFiles;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The plugin part of eKuiper's {@code GET /data/export}, {@code POST /data/import} and {@code GET
 * /data/import/status} (docs/api.md §8.19), over {@link DataTransfer}.
 */
@Path("/data")
@Singleton
public final class DataResource {
  /** The response header naming the installed plugins an export left out (no recorded URL). */
  static final String NOT_EXPORTED = "Kpm-Not-Exported";

  private final DataTransfer data;
  private final RemoteFiles files;

  @Inject
  public DataResource(
      PluginReads plugins,
      PluginChanges installs,
      PortableChanges portables,
      RemoteFiles files,
      FleetNodes fleet) {
    this.data = new DataTransfer(plugins, installs, portables, fleet);
    this.files = files;
  }

  /** eKuiper's export: a download of the ruleset, {@code application/octet-stream}. */
  @GET
  @Path("export")
  @Produces(MediaType.APPLICATION_OCTET_STREAM)
  public Response export() {
    DataTransfer.Export export = data.export();
    Response.ResponseBuilder r =
        Response.ok(export.body(), MediaType.APPLICATION_OCTET_STREAM_TYPE)
            .header("Content-Disposition", "Attachment");
    if (!export.left().isEmpty()) {
      r.header(NOT_EXPORTED, String.join(",", export.left()));
    }
    return r.build();
  }

  @POST
  @Path("import")
  @Produces(MediaType.APPLICATION_JSON)
  public Response importRuleset(
      @QueryParam("partial") String partial,
      @QueryParam("stop") String stop,
      @QueryParam("dryRun") String dryRun,
      String body,
      @Context ContainerRequestContext request) {
    Act act = Acts.of(request, AuditAction.DATA_IMPORT).plugin("data", null);
    boolean dry = DryRuns.requested(dryRun);
    boolean isPartial = "1".equals(partial);
    if ("1".equals(stop)) {
      act.note("stop=1 (kpm does not stop: it installs at once)");
    }
    String content = DataTransfer.content(body, files::read);
    Function<AuditAction, Act> acts = itemActs(act);
    if (dry) {
      act.dryRun(dev.kpm.install.DryRun.NOTE);
      Object plan = data.plan(content, isPartial, acts);
      if (plan instanceof DataTransfer.Result bad) {
        act.note(bad.summary());
        throw PluginException.invalid(bad.configResponse());
      }
      return Response.ok((DataPlan) plan, MediaType.APPLICATION_JSON_TYPE).build();
    }
    DataTransfer.Result result = data.importRuleset(content, isPartial, acts);
    act.note(result.summary());
    if (!result.ok()) {
      // eKuiper's "process error": 400 whose message is the per-section error map.
      throw PluginException.invalid(result.configResponse());
    }
    return Response.ok(
            "{\"ErrorMsg\":\"\",\"ConfigResponse\":" + result.configResponse() + "}",
            MediaType.APPLICATION_JSON_TYPE)
        .build();
  }

  @GET
  @Path("import/status")
  @Produces(MediaType.APPLICATION_JSON)
  public Response status() {
    return Response.ok(data.status(), MediaType.APPLICATION_JSON_TYPE).build();
  }

  /**
   * Each plugin change of an import is its own audit event, by the importing caller; its request id
   * is the import's with {@code /<n>} appended, so the import's own id keeps exactly one event.
   */
  private static Function<AuditAction, Act> itemActs(Act importing) {
    Actor a = importing.actor();
    AtomicInteger n = new AtomicInteger();
    return action -> {
      String id = a.requestId() == null ? null : a.requestId() + "/" + n.incrementAndGet();
      if (id != null && id.length() > 64) {
        id = id.substring(id.length() - 64);
      }
      return new Act(new Actor(a.subject(), a.method(), a.clientAddress(), id), action)
          .detail("data.import");
    };
  }
}
