package dev.kpm.api;

import dev.kpm.install.PluginChanges;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;

/** eKuiper's {@code POST /plugins/functions/{name}/register}: replace a function list. */
@Path("/plugins/functions/{name}/register")
@Singleton
public final class FunctionRegisterResource {
  private final PluginChanges installs;

  @Inject
  public FunctionRegisterResource(PluginChanges installs) {
    this.installs = installs;
  }

  @POST
  @Produces(NativePluginsResource.TEXT)
  public String register(@PathParam("name") String name, String body) {
    return installs.register(name, body);
  }
}
