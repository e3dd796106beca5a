package dev.kpm.api;

import dev.kpm.api.dto.InstallInfo;
import dev.kpm.audit.AuditAction;
import dev.kpm.install.PluginChanges;
import dev.kpm.plugin.PluginHealth;
import dev.kpm.plugin.PluginReads;
import dev.kpm.plugin.PluginType;
import dev.kpm.plugin.Registry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
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

  @Inject
  public NativePluginsResource(PluginReads plugins, PluginChanges installs) {
    this.plugins = plugins;
    this.installs = installs;
  }

  @GET
  public byte[] list(@PathParam("type") PluginType type) {
    return ReadBodies.list(plugins.registry(), type);
  }

  @POST
  @Produces(TEXT)
  public Response create(
      @PathParam("type") PluginType type, String body, @Context ContainerRequestContext request) {
    return Response.status(201)
        .entity(installs.create(type, body, Acts.of(request, AuditAction.PLUGIN_CREATE)))
        .build();
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
  public String update(
      @PathParam("type") PluginType type,
      @PathParam("name") String name,
      String body,
      @Context ContainerRequestContext request) {
    return installs.update(type, name, body, Acts.of(request, AuditAction.PLUGIN_UPDATE));
  }

  @DELETE
  @Path("{name}")
  @Produces(TEXT)
  public String drop(
      @PathParam("type") PluginType type,
      @PathParam("name") String name,
      @QueryParam("stop") String stop,
      @Context ContainerRequestContext request) {
    return installs.drop(type, name, "1".equals(stop), Acts.of(request, AuditAction.PLUGIN_DELETE));
  }

  @GET
  @Path("prebuild")
  public Map<String, String> prebuild(@PathParam("type") PluginType type) {
    return plugins.prebuild(type);
  }

  /** eKuiper routes only GET of {@code …/prebuild} to the listing; other methods name a plugin. */
  @PUT
  @Path("prebuild")
  @Produces(TEXT)
  public String updatePrebuild(
      @PathParam("type") PluginType type, String body, @Context ContainerRequestContext request) {
    return installs.update(type, "prebuild", body, Acts.of(request, AuditAction.PLUGIN_UPDATE));
  }

  @DELETE
  @Path("prebuild")
  @Produces(TEXT)
  public String dropPrebuild(
      @PathParam("type") PluginType type,
      @QueryParam("stop") String stop,
      @Context ContainerRequestContext request) {
    return installs.drop(
        type, "prebuild", "1".equals(stop), Acts.of(request, AuditAction.PLUGIN_DELETE));
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
