package dev.kpm.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;

/**
 * The hash chain over {@code audit_event} (docs/api.md §12.3): each event's hash covers its number,
 * the previous event's hash and every field, so a changed, removed or renumbered row breaks the
 * chain at that row. Appends take the chain's transaction-scoped advisory lock, so concurrent
 * installs — and several kpm nodes on one database — extend one chain and never fork it; the lock
 * is released by the commit of the transaction that appended, which is why appending is the last
 * thing a transaction does.
 */
final class Chain {
  /** The advisory lock of the chain: "kpmaudit" as a number, the same on every node. */
  static final long LOCK = 0x6b706d6175646974L;

  static final String GENESIS = "0".repeat(64);
  static final String COLUMNS =
      "seq, at, node_id, subject, auth_method, client_address, request_id, action, plugin_type,"
          + " plugin_name, source_url, sha256, version_before, version_after, outcome, status,"
          + " error, detail, count, duration_ms, prev_hash, hash";

  private Chain() {}

  /** The chain's two ends. */
  record Ends(long anchorSeq, String anchorHash, long headSeq, String headHash) {}

  /** Appends {@code events}, in order, after the head; returns the stored entries. */
  static List<AuditEntry> append(Connection c, List<AuditEvent> events) throws SQLException {
    lock(c);
    Ends ends = ends(c);
    long seq = ends.headSeq();
    String prev = ends.headHash();
    List<AuditEntry> stored = new java.util.ArrayList<>(events.size());
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO audit_event ("
                + COLUMNS
                + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
      for (AuditEvent e : events) {
        seq++;
        String hash = hash(seq, prev, e);
        bind(insert, seq, e, prev, hash);
        insert.addBatch();
        stored.add(new AuditEntry(seq, e, prev, hash));
        prev = hash;
      }
      insert.executeBatch();
    }
    try (PreparedStatement head =
        c.prepareStatement("UPDATE audit_chain SET head_seq = ?, head_hash = ? WHERE id = 1")) {
      head.setLong(1, seq);
      head.setString(2, prev);
      head.executeUpdate();
    }
    return stored;
  }

  static void lock(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
      s.setLong(1, LOCK);
      s.executeQuery().close();
    }
  }

  static Ends ends(Connection c) throws SQLException {
    try (PreparedStatement s =
            c.prepareStatement(
                "SELECT anchor_seq, anchor_hash, head_seq, head_hash FROM audit_chain WHERE id = 1");
        ResultSet r = s.executeQuery()) {
      if (!r.next()) {
        throw new SQLException("the audit chain's row is missing (audit_chain id 1)");
      }
      return new Ends(r.getLong(1), r.getString(2), r.getLong(3), r.getString(4));
    }
  }

  /** SHA-256 over a length-prefixed rendering of every field, hex. */
  static String hash(long seq, String prev, AuditEvent e) {
    StringBuilder s = new StringBuilder(512).append("kpm-audit-1");
    field(s, Long.toString(seq));
    field(s, prev);
    field(s, e.at().toString());
    field(s, e.nodeId());
    field(s, e.subject());
    field(s, e.method());
    field(s, e.clientAddress());
    field(s, e.requestId());
    field(s, e.action());
    field(s, e.pluginType());
    field(s, e.pluginName());
    field(s, e.sourceUrl());
    field(s, e.sha256());
    field(s, e.versionBefore());
    field(s, e.versionAfter());
    field(s, e.outcome());
    field(s, e.status() == null ? null : e.status().toString());
    field(s, e.error());
    field(s, e.detail());
    field(s, Integer.toString(e.count()));
    field(s, e.durationMs() == null ? null : e.durationMs().toString());
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(s.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e1) {
      throw new IllegalStateException(e1);
    }
  }

  private static void field(StringBuilder s, String value) {
    s.append('\n');
    if (value == null) {
      s.append('~');
    } else {
      s.append(value.length()).append(':').append(value);
    }
  }

  private static void bind(PreparedStatement p, long seq, AuditEvent e, String prev, String hash)
      throws SQLException {
    int i = 1;
    p.setLong(i++, seq);
    p.setObject(i++, OffsetDateTime.ofInstant(e.at(), ZoneOffset.UTC));
    p.setString(i++, e.nodeId());
    p.setString(i++, e.subject());
    p.setString(i++, e.method());
    p.setString(i++, e.clientAddress());
    p.setString(i++, e.requestId());
    p.setString(i++, e.action());
    p.setString(i++, e.pluginType());
    p.setString(i++, e.pluginName());
    p.setString(i++, e.sourceUrl());
    p.setString(i++, e.sha256());
    p.setString(i++, e.versionBefore());
    p.setString(i++, e.versionAfter());
    p.setString(i++, e.outcome());
    if (e.status() == null) {
      p.setNull(i++, Types.INTEGER);
    } else {
      p.setInt(i++, e.status());
    }
    p.setString(i++, e.error());
    p.setString(i++, e.detail());
    p.setInt(i++, e.count());
    if (e.durationMs() == null) {
      p.setNull(i++, Types.BIGINT);
    } else {
      p.setLong(i++, e.durationMs());
    }
    p.setString(i++, prev);
    p.setString(i, hash);
  }

  /** Reads one row of {@link #COLUMNS}. */
  static AuditEntry read(ResultSet r) throws SQLException {
    int status = r.getInt(16);
    Integer statusValue = r.wasNull() ? null : status;
    long duration = r.getLong(20);
    Long durationValue = r.wasNull() ? null : duration;
    AuditEvent e =
        new AuditEvent(
            r.getObject(2, OffsetDateTime.class).toInstant(),
            r.getString(3),
            r.getString(4),
            r.getString(5),
            r.getString(6),
            r.getString(7),
            r.getString(8),
            r.getString(9),
            r.getString(10),
            r.getString(11),
            r.getString(12),
            r.getString(13),
            r.getString(14),
            r.getString(15),
            statusValue,
            r.getString(17),
            r.getString(18),
            r.getInt(19),
            durationValue);
    return new AuditEntry(r.getLong(1), e, r.getString(21), r.getString(22));
  }
}
