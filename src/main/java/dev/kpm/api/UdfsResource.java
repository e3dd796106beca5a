package dev.kpm.api;

import dev.kpm.api.dto.UdfInfo;
import dev.kpm.plugin.PluginService;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** eKuiper's UDF registry: the native function names and their owning plugins. */
@Path("/plugins/udfs")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class UdfsResource {
  private final PluginService plugins;

  @Inject
  public UdfsResource(PluginService plugins) {
    this.plugins = plugins;
  }

  @GET
  public List<String> list() {
    return plugins.listUdfs();
  }

  @GET
  @Path("{name}")
  public UdfInfo describe(@PathParam("name") String name) {
    return UdfInfo.from(plugins.describeUdf(name));
  }
}
