package dev.kpm.api;

import dev.kpm.api.dto.PluginInfo;
import dev.kpm.plugin.PluginService;
import dev.kpm.plugin.PluginType;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** eKuiper's native plugin endpoints for sources, sinks and functions. */
@Path("/plugins/{type: sources|sinks|functions}")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class NativePluginsResource {
  private final PluginService plugins;

  @Inject
  public NativePluginsResource(PluginService plugins) {
    this.plugins = plugins;
  }

  @GET
  public List<String> list(@PathParam("type") PluginType type) {
    return plugins.listNames(type);
  }

  @GET
  @Path("{name}")
  public PluginInfo describe(@PathParam("type") PluginType type, @PathParam("name") String name) {
    return PluginInfo.from(plugins.describe(type, name));
  }
}
