package dev.kpm.api;

import dev.kpm.api.dto.InstallInfo;
import dev.kpm.api.dto.PortableDescription;
import dev.kpm.api.dto.PortableInfo;
import dev.kpm.api.dto.PortableStatusInfo;
import dev.kpm.audit.Act;
import dev.kpm.audit.AuditAction;
import dev.kpm.fleet.FleetNodes;
import dev.kpm.install.PluginChanges;
import dev.kpm.install.PortableChanges;
import dev.kpm.plugin.PluginReads;
import dev.kpm.plugin.PluginType;
import dev.kpm.portable.PortableOperations;
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

/** eKuiper's portable plugin endpoints with the process status (docs/api.md §4, §9). */
@Path("/plugins/portables")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class PortablePluginsResource {
  private final PluginReads plugins;
  private final PortableChanges portables;
  private final PortableOperations runtime;
  private final PluginChanges installs;
  private final FleetNodes fleet;

  @Inject
  public PortablePluginsResource(
      PluginReads plugins,
      PortableChanges portables,
      PortableOperations runtime,
      PluginChanges installs,
      FleetNodes fleet) {
    this.plugins = plugins;
    this.portables = portables;
    this.runtime = runtime;
    this.installs = installs;
    this.fleet = fleet;
  }

  @GET
  public List<PortableInfo> list() {
    return plugins.listPortables().stream().map(PortableInfo::from).toList();
  }

  @POST
  @Produces(NativePluginsResource.TEXT)
  public Response create(
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
        () -> portables.planCreate(body, act),
        () ->
            AsyncJobs.requested(prefer)
                ? AsyncJobs.accepted(portables.submitCreate(body, act))
                : w.after(
                    fleet,
                    PluginType.PORTABLES,
                    act::pluginName,
                    false,
                    () -> Response.status(201).entity(portables.create(body, act)).build()));
  }

  @GET
  @Path("{name}")
  public PortableDescription describe(@PathParam("name") String name) {
    return new PortableDescription(PortableInfo.from(plugins.describePortable(name)), status(name));
  }

  @PUT
  @Path("{name}")
  @Produces(NativePluginsResource.TEXT)
  public Response update(
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
        () -> portables.planUpdate(name, body, act),
        () ->
            AsyncJobs.requested(prefer)
                ? AsyncJobs.accepted(portables.submitUpdate(name, body, act))
                : w.after(
                    fleet,
                    PluginType.PORTABLES,
                    () -> name,
                    false,
                    () -> Response.ok(portables.update(name, body, act)).build()));
  }

  @DELETE
  @Path("{name}")
  @Produces(NativePluginsResource.TEXT)
  public Response drop(
      @PathParam("name") String name,
      @QueryParam("dryRun") String dryRun,
      @QueryParam("wait") String wait,
      @QueryParam("timeout") String timeout,
      @Context ContainerRequestContext request) {
    Act act = Acts.of(request, AuditAction.PLUGIN_DELETE);
    FleetWaits.Wait w = FleetWaits.of(wait, timeout, dryRun, null);
    return DryRuns.answer(
        dryRun,
        act,
        () -> portables.planDrop(name, act),
        () ->
            w.after(
                fleet,
                PluginType.PORTABLES,
                () -> name,
                true,
                () -> Response.ok(portables.drop(name, act)).build()));
  }

  @GET
  @Path("{name}/installs")
  public List<InstallInfo> history(@PathParam("name") String name) {
    return installs.history(PluginType.PORTABLES, name).stream().map(InstallInfo::from).toList();
  }

  /** kpm's: the plugin's per-symbol metadata json as installed (docs/api.md §8.11). */
  @GET
  @Path("{name}/meta")
  public byte[] meta(@PathParam("name") String name) {
    return plugins.meta(PluginType.PORTABLES, name);
  }

  @GET
  @Path("{name}/output")
  @Produces(NativePluginsResource.TEXT)
  public String output(@PathParam("name") String name) {
    return runtime.output(name);
  }

  @GET
  @Path("{name}/status")
  public PortableStatusInfo status(@PathParam("name") String name) {
    return PortableStatusInfo.from(runtime.status(name));
  }
}
