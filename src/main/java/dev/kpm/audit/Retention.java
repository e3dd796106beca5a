package dev.kpm.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * One batch of the retention purge (docs/api.md §12.3), under the chain's lock: removes the oldest
 * events as a prefix of the chain, up to the first one not older than the cutoff, and makes the
 * last removed event the chain's anchor in the same transaction.
 */
final class Retention {
  private Retention() {}

  /** One batch: returns {removed, anchor}. */
  static long[] purgeBatch(Connection c, Instant cutoff) throws SQLException {
    Chain.lock(c);
    Chain.Ends ends = Chain.ends(c);
    long limit = ends.anchorSeq() + AuditTrail.PAGE * 5L;
    long last;
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT seq FROM audit_event WHERE seq > ? AND seq <= ? AND at >= ? ORDER BY seq"
                + " LIMIT 1")) {
      s.setLong(1, ends.anchorSeq());
      s.setLong(2, limit);
      s.setObject(3, OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC));
      try (ResultSet r = s.executeQuery()) {
        last = r.next() ? r.getLong(1) - 1 : Math.min(limit, ends.headSeq());
      }
    }
    if (last <= ends.anchorSeq()) {
      markPurged(c);
      return new long[] {0, ends.anchorSeq()};
    }
    String hash;
    try (PreparedStatement s = c.prepareStatement("SELECT hash FROM audit_event WHERE seq = ?")) {
      s.setLong(1, last);
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) {
          throw new SQLException("audit event " + last + " is missing: verify the chain");
        }
        hash = r.getString(1);
      }
    }
    try (PreparedStatement s = c.prepareStatement("SET LOCAL kpm.audit_purge = 'on'")) {
      s.execute();
    }
    int removed;
    try (PreparedStatement s =
        c.prepareStatement("DELETE FROM audit_event WHERE seq > ? AND seq <= ?")) {
      s.setLong(1, ends.anchorSeq());
      s.setLong(2, last);
      removed = s.executeUpdate();
    }
    try (PreparedStatement s = c.prepareStatement("SET LOCAL kpm.audit_purge = 'off'")) {
      s.execute();
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE audit_chain SET anchor_seq = ?, anchor_hash = ?, purged_at = now() WHERE id = 1")) {
      s.setLong(1, last);
      s.setString(2, hash);
      s.executeUpdate();
    }
    return new long[] {removed, last};
  }

  private static void markPurged(Connection c) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("UPDATE audit_chain SET purged_at = now() WHERE id = 1")) {
      s.executeUpdate();
    }
  }
}
