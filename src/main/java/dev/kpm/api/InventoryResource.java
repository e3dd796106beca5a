package dev.kpm.api;

import dev.kpm.api.dto.InventoryItem;
import dev.kpm.audit.AuditReads;
import dev.kpm.fleet.FleetNodes;
import dev.kpm.fleet.NodeCounts;
import dev.kpm.install.PluginCompat;
import dev.kpm.plugin.PluginException;
import dev.kpm.plugin.PluginReads;
import dev.kpm.plugin.PluginRecordView;
import dev.kpm.plugin.PluginType;
import dev.kpm.security.Caller;
import dev.kpm.security.Role;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * kpm's {@code GET /inventory/{type}} (docs/api.md §8.18): every installed plugin of one type with
 * all a console shows of it — its row, description, health, compatibility and (admins only) who
 * installed it — in one request instead of one per plugin and column.
 */
@Path("/inventory/{type}")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class InventoryResource {
  private static final Logger LOG = Logger.getLogger(InventoryResource.class.getName());

  private final PluginReads plugins;
  private final PluginCompat compat;
  private final AuditReads audit;
  private final FleetNodes fleet;

  @Inject
  public InventoryResource(
      PluginReads plugins, PluginCompat compat, AuditReads audit, FleetNodes fleet) {
    this.plugins = plugins;
    this.compat = compat;
    this.audit = audit;
    this.fleet = fleet;
  }

  @GET
  public List<InventoryItem> list(
      @PathParam("type") String word, @Context SecurityContext security) {
    PluginType type = type(word);
    // Who made a change is shown to admins only, as on the event stream (EventsResource).
    boolean admin =
        security != null
            && security.getUserPrincipal() instanceof Caller caller
            && caller.role() == Role.ADMIN;
    List<PluginRecordView> rows = plugins.inventory(type);
    Map<String, String> installers =
        admin && !rows.isEmpty() ? audit.installers(type.word()) : Map.of();
    Map<String, NodeCounts> progress = rows.isEmpty() ? Map.of() : fleet.progress(type);
    return rows.stream()
        .map(
            r -> InventoryItem.from(r, installers.get(r.name()), compat(r), progress.get(r.name())))
        .toList();
  }

  /** The type word, parsed as the {@code {type}} of every plugin path is; else 400. */
  private static PluginType type(String word) {
    try {
      return PluginType.fromString(word);
    } catch (IllegalArgumentException e) {
      throw PluginException.invalid(
          "unknown plugin type "
              + (word.length() > 40 ? word.substring(0, 40) + "…" : word)
              + ": expected sources, sinks, functions or portables");
    }
  }

  /** A native plugin's verdict status (§8.10); null for portables, or when it cannot be had. */
  private String compat(PluginRecordView r) {
    if (!r.type().isNative()) {
      return null;
    }
    try {
      return compat.of(r.type(), r.name()).status();
    } catch (RuntimeException e) {
      LOG.fine(() -> "inventory: no compat verdict for " + r.type() + "/" + r.name() + ": " + e);
      return null;
    }
  }
}
