package dev.kpm.persistence;

import java.sql.SQLException;

/** Recognises which database constraint refused a write. */
public final class Constraints {
  private static final String UNIQUE_VIOLATION = "23505";

  private Constraints() {}

  /** True when {@code e} (or a cause) is a unique violation of the named constraint or index. */
  public static boolean violated(Throwable e, String constraint) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql
          && UNIQUE_VIOLATION.equals(sql.getSQLState())
          && String.valueOf(sql.getMessage()).contains("\"" + constraint + "\"")) {
        return true;
      }
    }
    return false;
  }
}
