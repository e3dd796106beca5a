package dev.kpm.persistence;

/**
 * The database could not be reached or did not answer within its bounds (no connection within the
 * acquire timeout, a broken connection, a statement past its timeout, a server shutting down). The
 * transaction did not commit; the same work may succeed once the database is back.
 */
public class DatabaseUnavailableException extends RuntimeException {
  public DatabaseUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
