package dev.kpm.api;

import dev.kpm.audit.AuditAction;
import dev.kpm.install.PluginChanges;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;

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
  public String register(
      @PathParam("name") String name, String body, @Context ContainerRequestContext request) {
    return installs.register(name, body, Acts.of(request, AuditAction.FUNCTIONS_REGISTER));
  }
}
