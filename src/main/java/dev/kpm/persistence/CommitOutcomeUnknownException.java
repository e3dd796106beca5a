package dev.kpm.persistence;

/**
 * The connection failed while the transaction was committing: the server may or may not have
 * committed it. Whoever changed files for this transaction must keep them and decide from the
 * database, once it answers, whether the change happened.
 */
public final class CommitOutcomeUnknownException extends DatabaseUnavailableException {
  CommitOutcomeUnknownException(Throwable cause) {
    super("the database connection failed during a commit; its outcome is unknown", cause);
  }
}
