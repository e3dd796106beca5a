package dev.kpm.audit;

/**
 * What an audit event records (docs/api.md §12.2). The wire name is what {@code GET /audit} shows
 * and filters on; the status is what the API answers when the action succeeds.
 */
public enum AuditAction {
  PLUGIN_CREATE("plugin.create", 201),
  PLUGIN_UPDATE("plugin.update", 200),
  PLUGIN_DELETE("plugin.delete", 200),
  FUNCTIONS_REGISTER("functions.register", 200),
  SYMBOL_START("symbol.start", 200),
  SYMBOL_STOP("symbol.stop", 200),
  TOKEN_CREATE("token.create", 201),
  TOKEN_REVOKE("token.revoke", 200),
  UPLOAD_CREATE("upload.create", 201),
  UPLOAD_DELETE("upload.delete", 200),
  /** A create, update or delete previewed with {@code ?dryRun=true}: nothing was changed. */
  PLUGIN_DRY_RUN("plugin.dry-run", 200),
  /** An install job cancelled with {@code DELETE /jobs/{id}}. */
  JOB_CANCEL("job.cancel", 200),
  /** kpm found a plugin on disk at start-up and registered it (eKuiper's auto-load). */
  PLUGIN_AUTOLOAD("plugin.autoload", 200),
  /** kpm finished or undid, at start-up, a change a crash interrupted. */
  PLUGIN_RECONCILE("plugin.reconcile", 200),
  /** kpm restarted a portable plugin's process after it exited. */
  PORTABLE_RESTART("portable.restart", 200),
  /** A request refused before it reached kpm: an aggregate per client and minute when anonymous. */
  REQUEST_REFUSED("request.refused", 401),
  /** The retention purge removed the events older than kpm.audit.retention. */
  AUDIT_PURGE("audit.purge", 200),
  /** A fleet node gone for good was forgotten with {@code DELETE /fleet/nodes/{id}}. */
  FLEET_NODE_FORGET("fleet.node.forget", 200),
  /**
   * A live fleet node was asked to re-apply the whole desired state, failures included, with {@code
   * POST /fleet/nodes/{id}/reconcile}.
   */
  FLEET_NODE_RECONCILE("fleet.node.reconcile", 200),
  /**
   * An eKuiper ruleset imported with {@code POST /data/import}; each plugin it changed has its own
   * event (docs/api.md §8.19).
   */
  DATA_IMPORT("data.import", 200),
  /** This node applied a plugin of the fleet's desired state to its home (convergence). */
  FLEET_APPLY("fleet.apply", 200),
  /** This node removed a plugin that left the fleet's desired state from its home. */
  FLEET_REMOVE("fleet.remove", 200);

  private final String wire;
  private final int successStatus;

  AuditAction(String wire, int successStatus) {
    this.wire = wire;
    this.successStatus = successStatus;
  }

  public String wire() {
    return wire;
  }

  public int successStatus() {
    return successStatus;
  }

  /** The action of a wire name, or null. */
  public static AuditAction of(String wire) {
    for (AuditAction a : values()) {
      if (a.wire.equals(wire)) {
        return a;
      }
    }
    return null;
  }
}
