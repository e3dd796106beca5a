package dev.kpm.api;

import dev.kpm.api.dto.InstallInfo;
import dev.kpm.audit.Act;
import dev.kpm.audit.AuditAction;
import dev.kpm.fleet.FleetNodes;
import dev.kpm.install.CompatReport;
import dev.kpm.install.PluginChanges;
import dev.kpm.install.PluginCompat;
import dev.kpm.plugin.PluginException;
import dev.kpm.plugin.PluginHealth;
import dev.kpm.plugin.PluginReads;
import dev.kpm.plugin.PluginType;
import dev.kpm.plugin.Registry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/** eKuiper's native plugin endpoints for sources, sinks and functions, plus the install log. */
@Path("/plugins/{type: sources|sinks|functions}")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class NativePluginsResource {
  static final String TEXT = "text/plain;charset=utf-8";
  private final PluginReads plugins;
  private final PluginChanges installs;
  private final PluginCompat compat;
  private final FleetNodes fleet;

  @Inject
  public NativePluginsResource(
      PluginReads plugins, PluginChanges installs, PluginCompat compat, FleetNodes fleet) {
    this.plugins = plugins;
    this.installs = installs;
    this.compat = compat;
    this.fleet = fleet;
  }

  @GET
  public byte[] list(@PathParam("type") PluginType type) {
    return ReadBodies.list(plugins.registry(), type);
  }

  @POST
  @Produces(TEXT)
  public Response create(
      @PathParam("type") PluginType type,
      @QueryParam("dryRun") String dryRun,
      @QueryParam("wait") String wait,
      @QueryParam("timeout") String timeout,
      @HeaderParam("Prefer") String prefer,
      String body,
      @Context ContainerRequestContext request) {
    Act act = Acts.of(request, AuditAction.PLUGIN_CREATE);
    FleetWaits.Wait w = FleetWaits.of(wait, timeout, dryRun, prefer);
    return DryRuns.answer(
        dryRun,
        act,
        () -> installs.planCreate(type, body, act),
        () ->
            AsyncJobs.requested(prefer)
                ? AsyncJobs.accepted(installs.submitCreate(type, body, act))
                : w.after(
                    fleet,
                    type,
                    act::pluginName,
                    false,
                    () -> Response.status(201).entity(installs.create(type, body, act)).build()));
  }

  @GET
  @Path("{name}")
  public byte[] describe(@PathParam("type") PluginType type, @PathParam("name") String name) {
    Registry registry = plugins.registry();
    return ReadBodies.describe(registry, registry.describe(type, name));
  }

  @PUT
  @Path("{name}")
  @Produces(TEXT)
  public Response update(
      @PathParam("type") PluginType type,
      @PathParam("name") String name,
      @QueryParam("dryRun") String dryRun,
      @QueryParam("wait") String wait,
      @QueryParam("timeout") String timeout,
      @HeaderParam("Prefer") String prefer,
      String body,
      @Context ContainerRequestContext request) {
    Act act = Acts.of(request, AuditAction.PLUGIN_UPDATE);
    FleetWaits.Wait w = FleetWaits.of(wait, timeout, dryRun, prefer);
    return DryRuns.answer(
        dryRun,
        act,
        () -> installs.planUpdate(type, name, body, act),
        () ->
            AsyncJobs.requested(prefer)
                ? AsyncJobs.accepted(installs.submitUpdate(type, name, body, act))
                : w.after(
                    fleet,
                    type,
                    () -> name,
                    false,
                    () -> Response.ok(installs.update(type, name, body, act)).build()));
  }

  @DELETE
  @Path("{name}")
  @Produces(TEXT)
  public Response drop(
      @PathParam("type") PluginType type,
      @PathParam("name") String name,
      @QueryParam("stop") String stop,
      @QueryParam("dryRun") String dryRun,
      @QueryParam("wait") String wait,
      @QueryParam("timeout") String timeout,
      @Context ContainerRequestContext request) {
    Act act = Acts.of(request, AuditAction.PLUGIN_DELETE);
    FleetWaits.Wait w = FleetWaits.of(wait, timeout, dryRun, null);
    return DryRuns.answer(
        dryRun,
        act,
        () -> installs.planDrop(type, name, act),
        () ->
            w.after(
                fleet,
                type,
                () -> name,
                true,
                () -> Response.ok(installs.drop(type, name, "1".equals(stop), act)).build()));
  }

  /**
   * eKuiper's listing; kpm's {@code ?verified=true} keeps only the entries whose URL answered 2xx
   * at the last check (docs/api.md §8.12).
   */
  @GET
  @Path("prebuild")
  public Map<String, String> prebuild(
      @PathParam("type") PluginType type, @QueryParam("verified") String verified) {
    if (verified == null || verified.equals("false")) {
      return plugins.prebuild(type);
    }
    if (verified.equals("true")) {
      return plugins.verifiedPrebuild(type);
    }
    throw PluginException.invalid("invalid verified " + verified + ": expected true or false");
  }

  /** kpm's: the plugin's metadata json as installed (docs/api.md §8.11). */
  @GET
  @Path("{name}/meta")
  public byte[] meta(@PathParam("type") PluginType type, @PathParam("name") String name) {
    return plugins.meta(type, name);
  }

  /** eKuiper routes only GET of {@code …/prebuild} to the listing; other methods name a plugin. */
  @PUT
  @Path("prebuild")
  @Produces(TEXT)
  public Response updatePrebuild(
      @PathParam("type") PluginType type,
      @QueryParam("dryRun") String dryRun,
      @QueryParam("wait") String wait,
      @QueryParam("timeout") String timeout,
      @HeaderParam("Prefer") String prefer,
      String body,
      @Context ContainerRequestContext request) {
    return update(type, "prebuild", dryRun, wait, timeout, prefer, body, request);
  }

  @DELETE
  @Path("prebuild")
  @Produces(TEXT)
  public Response dropPrebuild(
      @PathParam("type") PluginType type,
      @QueryParam("stop") String stop,
      @QueryParam("dryRun") String dryRun,
      @QueryParam("wait") String wait,
      @QueryParam("timeout") String timeout,
      @Context ContainerRequestContext request) {
    return drop(type, "prebuild", stop, dryRun, wait, timeout, request);
  }

  /** kpm's: the plugin's build information and the verdict against the current eKuiper binary. */
  @GET
  @Path("{name}/compat")
  public CompatReport.Plugin compat(
      @PathParam("type") PluginType type, @PathParam("name") String name) {
    return compat.of(type, name);
  }

  @GET
  @Path("{name}/health")
  public PluginHealth health(@PathParam("type") PluginType type, @PathParam("name") String name) {
    return plugins.health(type, name);
  }

  @GET
  @Path("{name}/installs")
  public List<InstallInfo> history(
      @PathParam("type") PluginType type, @PathParam("name") String name) {
    return installs.history(type, name).stream().map(InstallInfo::from).toList();
  }
}
