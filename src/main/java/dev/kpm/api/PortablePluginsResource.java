package dev.kpm.api;

import dev.kpm.api.dto.PortableInfo;
import dev.kpm.plugin.PluginService;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** eKuiper's portable plugin endpoints. */
@Path("/plugins/portables")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class PortablePluginsResource {
  private final PluginService plugins;

  @Inject
  public PortablePluginsResource(PluginService plugins) {
    this.plugins = plugins;
  }

  @GET
  public List<PortableInfo> list() {
    return plugins.listPortables().stream().map(PortableInfo::from).toList();
  }

  @GET
  @Path("{name}")
  public PortableInfo describe(@PathParam("name") String name) {
    return PortableInfo.from(plugins.describePortable(name));
  }
}
