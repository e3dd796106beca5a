package dev.kpm.fleet;

import java.time.Instant;

/**
 * One registered node's state of one plugin, as {@code GET /plugins/{type}/{name}/nodes} shows it
 * (docs/api.md §8.20).
 *
 * @param live whether the node's heartbeat is younger than {@code kpm.fleet.downAfter}
 * @param self whether it is the node answering
 * @param state its {@code node_plugin} state; {@code pending} when it has no row of a plugin the
 *     fleet wants, or (live) a row of another digest that it applied or removed; null when it never
 *     held a plugin the fleet no longer wants
 * @param current whether its row is for the digest the fleet wants
 * @param process its portable process status as a JSON object text, or null
 */
public record PluginOnNode(
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
    Instant at,
    String process) {

  /** Whether this node is done with the desired digest: applied, failed or incompatible. */
  public boolean settledAtDesired() {
    return current
        && ("applied".equals(state) || "failed".equals(state) || "incompatible".equals(state));
  }

  /** Whether this node holds nothing of a plugin the fleet no longer wants. */
  public boolean settledRemoved() {
    return state == null || "removed".equals(state);
  }
}
