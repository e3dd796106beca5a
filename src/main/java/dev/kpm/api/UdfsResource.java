package dev.kpm.api;

import dev.kpm.plugin.PluginReads;
import dev.kpm.plugin.Registry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** eKuiper's UDF registry: the native function names and their owning plugins. */
@Path("/plugins/udfs")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class UdfsResource {
  private final PluginReads plugins;

  @Inject
  public UdfsResource(PluginReads plugins) {
    this.plugins = plugins;
  }

  @GET
  public byte[] list() {
    return ReadBodies.udfs(plugins.registry());
  }

  @GET
  @Path("{name}")
  public byte[] describe(@PathParam("name") String name) {
    Registry registry = plugins.registry();
    return ReadBodies.udf(registry, registry.describeUdf(name));
  }
}
