package dev.kpm.api.dto;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.kpm.fleet.PluginOnNode;

/**
 * One fleet node's state of one plugin as {@code GET /plugins/{type}/{name}/nodes} shows it
 * (docs/api.md §8.20); {@code process} is the node's portable process status as a JSON object, or
 * null (always for a native plugin).
 */
@JsonPropertyOrder({
  "node", "address", "live", "self", "state", "version", "sha256", "current", "error", "output",
  "at", "process"
})
public record PluginNodeInfo(
    String node,
    String address,
    boolean live,
    boolean self,
    String state,
    String version,
    String sha256,
    boolean current,
    String error,
    String output,
    String at,
    @JsonRawValue String process) {

  /** {@code portable}: whether the plugin is a portable one, which alone has a process. */
  public static PluginNodeInfo from(PluginOnNode n, boolean portable) {
    return new PluginNodeInfo(
        n.node(),
        n.address(),
        n.live(),
        n.self(),
        n.state(),
        n.version(),
        n.sha256(),
        n.current(),
        n.error(),
        n.output(),
        n.at() == null ? null : n.at().toString(),
        portable ? n.process() : null);
  }
}
