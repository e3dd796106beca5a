package dev.kpm.api;

import dev.kpm.api.dto.PluginNodeInfo;
import dev.kpm.fleet.FleetNodes;
import dev.kpm.plugin.Ids;
import dev.kpm.plugin.PluginException;
import dev.kpm.plugin.PluginType;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * Every fleet node's state of one native plugin (kpm extension, docs/api.md §8.20). A path of its
 * own: JAX-RS routes a request to the root resource with the longest literal path, and the plugin
 * resources would otherwise take {@code …/nodes} and answer 404. Portables: {@link Portables}.
 */
@Path("/plugins/{type}/{name}/nodes")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class PluginNodesResource {
  private final FleetNodes fleet;

  @Inject
  public PluginNodesResource(FleetNodes fleet) {
    this.fleet = fleet;
  }

  @GET
  public List<PluginNodeInfo> nodes(
      @PathParam("type") String word, @PathParam("name") String name) {
    return of(fleet, nativeType(word), name);
  }

  /** The portable plugins' twin: {@code GET /plugins/portables/{name}/nodes}, with processes. */
  @Path("/plugins/portables/{name}/nodes")
  @Produces(MediaType.APPLICATION_JSON)
  @Singleton
  public static final class Portables {
    private final FleetNodes fleet;

    @Inject
    public Portables(FleetNodes fleet) {
      this.fleet = fleet;
    }

    @GET
    public List<PluginNodeInfo> nodes(@PathParam("name") String name) {
      return of(fleet, PluginType.PORTABLES, name);
    }
  }

  static List<PluginNodeInfo> of(FleetNodes fleet, PluginType type, String name) {
    Ids.validate(name);
    boolean portable = type == PluginType.PORTABLES;
    return fleet
        .ofPlugin(type, name)
        .orElseThrow(
            () ->
                PluginException.notFound(
                    type.word()
                        + " plugin "
                        + name
                        + " is neither in the fleet's desired state nor held by any node"))
        .stream()
        .map(n -> PluginNodeInfo.from(n, portable))
        .toList();
  }

  private static PluginType nativeType(String word) {
    PluginType type;
    try {
      type = PluginType.fromString(word);
    } catch (IllegalArgumentException e) {
      type = null;
    }
    if (type == null || !type.isNative()) {
      throw PluginException.invalid(
          "unknown plugin type "
              + (word.length() > 40 ? word.substring(0, 40) + "…" : word)
              + ": expected sources, sinks or functions");
    }
    return type;
  }
}
