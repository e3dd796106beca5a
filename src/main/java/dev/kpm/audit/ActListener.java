package dev.kpm.audit;

/**
 * Told when an act opened through {@link AuditTrail#open} starts and when it ends with its one
 * event (committed with its change, or written for the answer): for metrics, which must not know
 * the audit trail. Called on the thread that opens or ends the act; must not block or throw.
 */
public interface ActListener {
  /** An act was opened for {@code action}. */
  void opened(AuditAction action);

  /**
   * The act opened for {@code opened} has ended; {@code event} is its one event (its action may
   * differ: a dry run).
   */
  void ended(AuditAction opened, AuditEvent event);
}
