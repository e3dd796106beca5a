package dev.kpm.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Verification of the chain (docs/api.md §12.3): walks it from its anchor to its head in one
 * consistent snapshot (REPEATABLE READ, read-only) and reports the first break — a missing event,
 * an event whose content no longer matches its hash, a link to a different previous event, or a
 * head the events do not reach.
 */
final class ChainCheck {
  private ChainCheck() {}

  static Verification verify(Connection c) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")) {
      s.execute();
    }
    Chain.Ends ends = Chain.ends(c);
    long expected = ends.anchorSeq() + 1;
    String prev = ends.anchorHash();
    long checked = 0;
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT "
                + Chain.COLUMNS
                + " FROM audit_event WHERE seq > ? ORDER BY seq LIMIT "
                + AuditTrail.PAGE)) {
      long after = ends.anchorSeq();
      while (true) {
        s.setLong(1, after);
        int rows = 0;
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            rows++;
            AuditEntry e = Chain.read(r);
            if (e.seq() != expected) {
              return broken(ends, checked, expected, "event " + expected + " is missing");
            }
            if (!e.prevHash().equals(prev)) {
              return broken(
                  ends,
                  checked,
                  e.seq(),
                  "event "
                      + e.seq()
                      + " does not link to event "
                      + (e.seq() - 1)
                      + ": its previous hash differs");
            }
            if (!Chain.hash(e.seq(), e.prevHash(), e.event()).equals(e.hash())) {
              return broken(
                  ends,
                  checked,
                  e.seq(),
                  "event " + e.seq() + " was changed: its content does not match its hash");
            }
            checked++;
            prev = e.hash();
            expected++;
            after = e.seq();
          }
        }
        if (rows < AuditTrail.PAGE) {
          break;
        }
      }
    }
    if (expected - 1 != ends.headSeq() || !prev.equals(ends.headHash())) {
      long first = expected;
      return broken(
          ends,
          checked,
          first,
          expected - 1 < ends.headSeq()
              ? "events " + first + " to " + ends.headSeq() + " are missing"
              : "the chain's head (event " + ends.headSeq() + ") does not match its last event");
    }
    return new Verification(
        true,
        checked,
        ends.anchorSeq(),
        ends.anchorHash(),
        ends.headSeq(),
        ends.headHash(),
        null,
        null);
  }

  private static Verification broken(Chain.Ends ends, long checked, long seq, String reason) {
    return new Verification(
        false,
        checked,
        ends.anchorSeq(),
        ends.anchorHash(),
        ends.headSeq(),
        ends.headHash(),
        seq,
        reason);
  }
}
