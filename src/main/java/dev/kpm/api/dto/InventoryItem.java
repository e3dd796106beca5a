package dev.kpm.api.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.kpm.plugin.PluginRecordView;
import java.util.Locale;

/**
 * One plugin of kpm's {@code GET /inventory/{type}} (docs/api.md §8.18). A field without a value is
 * left out, but {@code sourceUrl} and {@code sha256}, which are null when not recorded.
 *
 * @param origin {@code api} or {@code autoload}
 * @param installedBy the subject that installed it; admins only
 * @param health native only: {@code ok} or {@code missing-files}
 * @param compat native only: the compatibility verdict's status (§8.10)
 * @param nodes how far the fleet's live nodes are with it: {@code {"live","applied","pending",
 *     "failed","incompatible"}}; left out for an auto-loaded plugin (its node's own)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "name",
  "version",
  "origin",
  "sourceUrl",
  "sha256",
  "installedAt",
  "updatedAt",
  "installedBy",
  "description",
  "health",
  "compat",
  "nodes"
})
public record InventoryItem(
    String name,
    String version,
    String origin,
    @JsonInclude(JsonInclude.Include.ALWAYS) String sourceUrl,
    @JsonInclude(JsonInclude.Include.ALWAYS) String sha256,
    String installedAt,
    String updatedAt,
    String installedBy,
    String description,
    String health,
    String compat,
    Nodes nodes) {

  /** The fleet's progress with one plugin (docs/api.md §8.18). */
  @JsonPropertyOrder({"live", "applied", "pending", "failed", "incompatible"})
  public record Nodes(int live, int applied, int pending, int failed, int incompatible) {
    public static Nodes of(dev.kpm.fleet.NodeCounts c) {
      return c == null
          ? null
          : new Nodes(c.live(), c.applied(), c.pending(), c.failed(), c.incompatible());
    }
  }

  public static InventoryItem from(PluginRecordView v, String installedBy, String compat) {
    return from(v, installedBy, compat, null);
  }

  public static InventoryItem from(
      PluginRecordView v, String installedBy, String compat, dev.kpm.fleet.NodeCounts nodes) {
    return new InventoryItem(
        v.name(),
        v.version(),
        v.origin().name().toLowerCase(Locale.ROOT),
        v.sourceUrl(),
        v.sha256(),
        v.installedAt().toString(),
        v.updatedAt().toString(),
        installedBy,
        v.description(),
        v.health(),
        compat,
        Nodes.of(nodes));
  }
}
