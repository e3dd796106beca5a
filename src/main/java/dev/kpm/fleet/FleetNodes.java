package dev.kpm.fleet;

import dev.kpm.audit.Act;
import dev.kpm.plugin.PluginType;
import java.util.List;
import java.util.Optional;

/**
 * The fleet's nodes as the API reads, forgets and asks to reconcile them (docs/api.md §8.17,
 * §8.20), and every node's state of one plugin.
 */
public interface FleetNodes {
  /** Every registered node, by id. */
  List<FleetNode> nodes();

  /** One node, if registered. */
  Optional<FleetNode> node(String id);

  /** How a forget ended. */
  enum Outcome {
    /** The node's row and its per-plugin states are gone, with the audit event. */
    FORGOTTEN,
    NOT_FOUND,
    /** Refused: its heartbeat is recent; it would register again at its next one. */
    LIVE,
    /** Refused: the node answering cannot forget itself while it runs. */
    SELF
  }

  /**
   * The result of a forget.
   *
   * @param node the node as it was (null when not found)
   */
  record Forget(Outcome outcome, FleetNode node) {}

  /**
   * Forgets a node that is gone for good: its row and, by cascade, its per-plugin states; the audit
   * event of {@code act} commits with the delete. A refusal changes nothing and leaves the act to
   * whoever answers the request.
   */
  Forget forget(String id, Act act);

  /**
   * Per plugin of {@code type} installed through the API (name to counts): how far the live nodes
   * are with its current digest. Auto-loaded plugins, their node's own, are left out.
   */
  default java.util.Map<String, NodeCounts> progress(dev.kpm.plugin.PluginType type) {
    return java.util.Map.of();
  }

  /**
   * Every registered node's state of one plugin, by node id; empty when the plugin is neither in
   * the desired state nor held (in any state) by any node.
   */
  Optional<List<PluginOnNode>> ofPlugin(PluginType type, String name);

  /** How a reconcile request ended. */
  enum Asked {
    /** The node is told (at the commit, with the audit event) to re-apply everything. */
    REQUESTED,
    NOT_FOUND,
    /** Refused: the node's heartbeat is old; it converges when it starts again. */
    DOWN
  }

  /**
   * The result of a reconcile request.
   *
   * @param node the node as it was (null when not found)
   */
  record Reconcile(Asked outcome, FleetNode node) {}

  /**
   * Asks a live node to re-apply the whole desired state, its failures and incompatibilities
   * included: a notification the node hears, sent in the transaction that appends the audit event
   * of {@code act}. A refusal changes nothing and leaves the act to whoever answers the request.
   */
  Reconcile reconcile(String id, Act act);

  /**
   * The last plugin import's status as eKuiper's {@code GET /data/import/status} renders it: the
   * newest any node of the fleet recorded; empty when none did.
   */
  Optional<String> importStatus();

  /**
   * Records {@code status} (rendered), of an import that ended {@code at}, as the fleet's last
   * import status in a commit of its own — unless a later import's status is recorded already (a
   * write retried after an outage does not replace a newer one).
   */
  void recordImportStatus(String status, java.time.Instant at);
}
