package dev.kpm.audit;

/** A query of the audit trail kpm cannot answer: a 400 with this text. */
public final class AuditQueryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AuditQueryException(String message) {
    super(message);
  }
}
