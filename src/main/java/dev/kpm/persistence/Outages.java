package dev.kpm.persistence;

import java.io.EOFException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/** Tells a failure of the database itself from a failure of the work sent to it. */
final class Outages {
  /**
   * SQLSTATEs that say the server is unreachable, going away or overloaded rather than that the
   * statement was wrong: connection exceptions (class 08), admin/crash shutdown and "cannot connect
   * now" (57P01–57P03), a statement cancelled by its timeout (57014), and too many connections
   * (53300).
   */
  private static final Set<String> STATES = Set.of("57P01", "57P02", "57P03", "57014", "53300");

  private Outages() {}

  static boolean isOutage(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLTransientConnectionException
          || t instanceof SocketTimeoutException
          || t instanceof SocketException
          || t instanceof EOFException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08") || STATES.contains(state)) {
          return true;
        }
      }
    }
    return false;
  }
}
