package dev.kpm.api;

import dev.kpm.install.CompatReport;
import dev.kpm.install.PluginCompat;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * kpm's {@code GET /plugins/compat} (docs/api.md §8.10): every installed native plugin against the
 * current eKuiper binary, so an engine upgrade shows which plugins it will no longer load. One
 * plugin's verdict is {@code GET /plugins/{type}/{name}/compat} ({@link NativePluginsResource}).
 */
@Path("/plugins/compat")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class CompatResource {
  private final PluginCompat compat;

  @Inject
  public CompatResource(PluginCompat compat) {
    this.compat = compat;
  }

  @GET
  public CompatReport all(@QueryParam("status") String status) {
    return compat.all(status);
  }
}
