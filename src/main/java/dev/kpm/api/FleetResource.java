package dev.kpm.api;

import dev.kpm.api.dto.FleetNodeInfo;
import dev.kpm.audit.Act;
import dev.kpm.audit.AuditAction;
import dev.kpm.fleet.FleetNodes;
import dev.kpm.fleet.NodeInfo;
import dev.kpm.plugin.PluginException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kpm nodes sharing this database (kpm extension, docs/api.md §8.17): list, one node,
 * forgetting one that is gone for good, and asking a live one to reconcile (§8.20).
 */
@Path("/fleet/nodes")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class FleetResource {
  private final FleetNodes fleet;

  @Inject
  public FleetResource(FleetNodes fleet) {
    this.fleet = fleet;
  }

  @GET
  public List<FleetNodeInfo> list() {
    return fleet.nodes().stream().map(FleetNodeInfo::from).toList();
  }

  @GET
  @Path("{id}")
  public FleetNodeInfo node(@PathParam("id") String id) {
    valid(id);
    return fleet.node(id).map(FleetNodeInfo::from).orElseThrow(() -> notFound(id));
  }

  @DELETE
  @Path("{id}")
  public FleetNodeInfo forget(@PathParam("id") String id, @Context ContainerRequestContext ctx) {
    Act act = Acts.of(ctx, AuditAction.FLEET_NODE_FORGET).plugin("fleet", id);
    valid(id);
    FleetNodes.Forget f = fleet.forget(id, act);
    return switch (f.outcome()) {
      case FORGOTTEN -> FleetNodeInfo.from(f.node());
      case NOT_FOUND -> throw notFound(id);
      case SELF ->
          throw PluginException.conflict(
              "fleet node "
                  + id
                  + " is this node: it registers again with its next heartbeat; forget it from"
                  + " another node once it is stopped");
      case LIVE ->
          throw PluginException.conflict(
              "fleet node "
                  + id
                  + " is live (last heartbeat "
                  + f.node().heartbeatAt()
                  + "): it would register again with its next heartbeat; stop it first");
    };
  }

  @POST
  @Path("{id}/reconcile")
  public Map<String, String> reconcile(
      @PathParam("id") String id, @Context ContainerRequestContext ctx) {
    Act act = Acts.of(ctx, AuditAction.FLEET_NODE_RECONCILE).plugin("fleet", id);
    valid(id);
    FleetNodes.Reconcile r = fleet.reconcile(id, act);
    return switch (r.outcome()) {
      case REQUESTED -> {
        Map<String, String> answer = new LinkedHashMap<>();
        answer.put("node", id);
        answer.put("reconcile", "requested");
        yield answer;
      }
      case NOT_FOUND -> throw notFound(id);
      case DOWN ->
          throw PluginException.conflict(
              "node "
                  + id
                  + " is down: it converges when it starts again (last heartbeat "
                  + r.node().heartbeatAt()
                  + ")");
    };
  }

  private static void valid(String id) {
    if (!NodeInfo.validId(id)) {
      String shown = id.length() > 40 ? id.substring(0, 40) + "…" : id;
      throw PluginException.invalid(
          "invalid fleet node id "
              + shown
              + ": 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
  }

  private static PluginException notFound(String id) {
    return PluginException.notFound("fleet node " + id + " not found");
  }
}
