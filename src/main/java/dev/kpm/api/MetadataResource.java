package dev.kpm.api;

import dev.kpm.plugin.PluginReads;
import dev.kpm.plugin.PluginType;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * eKuiper's metadata catalogue for its Manager (docs/api.md §8.11): the about and configuration
 * form of the sources, sinks and functions kpm installed, in eKuiper's shapes. eKuiper's built-ins
 * are not kpm's and are not listed. {@code ?kind=lookup} of the source list is accepted and lists
 * the same sources: kpm never loads a {@code .so} and cannot tell a lookup source apart.
 */
@Path("/metadata")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class MetadataResource {
  private final PluginReads plugins;

  @Inject
  public MetadataResource(PluginReads plugins) {
    this.plugins = plugins;
  }

  @GET
  @Path("sources")
  public byte[] sources() {
    return plugins.catalogue(PluginType.SOURCES);
  }

  @GET
  @Path("sinks")
  public byte[] sinks() {
    return plugins.catalogue(PluginType.SINKS);
  }

  @GET
  @Path("functions")
  public byte[] functions() {
    return plugins.catalogue(PluginType.FUNCTIONS);
  }

  /** eKuiper picks the not-found text by {@code Content-Language} (not {@code Accept-Language}). */
  @GET
  @Path("sources/{name}")
  public byte[] source(
      @PathParam("name") String name, @HeaderParam("Content-Language") String language) {
    return plugins.catalogueItem(PluginType.SOURCES, name, language);
  }

  @GET
  @Path("sinks/{name}")
  public byte[] sink(
      @PathParam("name") String name, @HeaderParam("Content-Language") String language) {
    return plugins.catalogueItem(PluginType.SINKS, name, language);
  }
}
