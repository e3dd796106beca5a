package dev.kpm.fleet;

import dev.kpm.persistence.Transactions;
import dev.kpm.plugin.PluginType;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The desired plugin state every node converges to, and what each node applied of it ({@code
 * node_plugin}): read and written in short transactions of plain SQL. Thread-safe.
 */
public final class NodeStates {
  /** What a node did with a plugin of the desired state. */
  public enum State {
    PENDING,
    APPLIED,
    FAILED,
    REMOVED,
    INCOMPATIBLE;

    public String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    static State of(String word) {
      return valueOf(word.toUpperCase(java.util.Locale.ROOT));
    }
  }

  /** A plugin as the fleet wants it: what a node needs to install it from the database. */
  public record Desired(
      PluginType type,
      String name,
      String version,
      String sha256,
      String sourceUrl,
      List<String> shellParas,
      List<String> files,
      boolean autoLoaded) {
    public String key() {
      return NodeStates.key(type, name);
    }
  }

  /** One node's state of one plugin. */
  public record Held(
      String nodeId,
      PluginType type,
      String name,
      State state,
      String version,
      String sha256,
      List<String> files,
      String error,
      String output,
      Instant at,
      String process) {
    public String key() {
      return NodeStates.key(type, name);
    }

    /** What a convergence pass compares of this row. */
    public Mark mark() {
      return new Mark(type, name, state, sha256);
    }
  }

  /**
   * A plugin of the desired state as a convergence pass compares it with this node's: its identity
   * and digest, without the lists a pass does not need.
   */
  public record Wanted(PluginType type, String name, String sha256, boolean autoLoaded) {
    public String key() {
      return NodeStates.key(type, name);
    }
  }

  /** This node's state of a plugin as a convergence pass compares it: identity, state, digest. */
  public record Mark(PluginType type, String name, State state, String sha256) {
    public String key() {
      return NodeStates.key(type, name);
    }
  }

  /**
   * What one convergence pass compares, read in one transaction: the fleet's generation first, then
   * the desired plugins and this node's rows (each at least as new as that generation).
   */
  public record Outline(long generation, Map<String, Wanted> desired, Map<String, Mark> mine) {}

  /** One plugin as it is now: its desired state, if installed, and this node's row, if any. */
  public record Target(java.util.Optional<Desired> desired, java.util.Optional<Held> mine) {}

  private final Transactions tx;
  private final String nodeId;

  public NodeStates(Transactions tx, String nodeId) {
    this.tx = tx;
    this.nodeId = nodeId;
  }

  public String nodeId() {
    return nodeId;
  }

  public static String key(PluginType type, String name) {
    return type.word() + "/" + name;
  }

  /** The fleet's generation: the count of committed changes of the desired state. */
  public long generation() {
    return query(NodeStates::generation);
  }

  private static long generation(Connection c) throws SQLException {
    try (PreparedStatement st =
            c.prepareStatement("SELECT generation FROM fleet_state WHERE id = 1");
        ResultSet rs = st.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * The fleet's generation, the desired plugins and this node's rows, in one transaction and
   * without the rows' lists: a pass runs on every change announced, so it reads only what it
   * compares and reads the whole of a plugin ({@link #target}) when it has to act on it.
   */
  public Outline outline() {
    return query(
        c -> {
          long generation = generation(c);
          Map<String, Wanted> desired = new LinkedHashMap<>();
          try (PreparedStatement st =
                  c.prepareStatement(
                      "SELECT type, name, sha256, origin FROM plugin WHERE state = 'INSTALLED'"
                          + " ORDER BY id");
              ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
              Wanted w =
                  new Wanted(
                      PluginType.fromString(rs.getString(1)),
                      rs.getString(2),
                      rs.getString(3),
                      "AUTOLOAD".equals(rs.getString(4)));
              desired.put(w.key(), w);
            }
          }
          Map<String, Mark> mine = new LinkedHashMap<>();
          try (PreparedStatement st =
              c.prepareStatement(
                  "SELECT plugin_type, name, state, sha256 FROM node_plugin WHERE node_id = ?"
                      + " ORDER BY plugin_type, name")) {
            st.setString(1, nodeId);
            try (ResultSet rs = st.executeQuery()) {
              while (rs.next()) {
                Mark m =
                    new Mark(
                        PluginType.fromString(rs.getString(1)),
                        rs.getString(2),
                        State.of(rs.getString(3)),
                        rs.getString(4));
                mine.put(m.key(), m);
              }
            }
          }
          return new Outline(generation, desired, mine);
        });
  }

  /** One plugin's desired state and this node's row of it, in one transaction. */
  public Target target(PluginType type, String name) {
    return query(
        c ->
            new Target(
                desiredIn(c, type, name),
                rowsIn(c, "node_id = ? AND plugin_type = ? AND name = ?", nodeId, type.word(), name)
                    .stream()
                    .findFirst()));
  }

  /** The installed plugin {@code name} of {@code type}, in the transaction of {@code c}. */
  private static java.util.Optional<Desired> desiredIn(Connection c, PluginType type, String name)
      throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT version, sha256, source_url, shell_paras, files, origin FROM plugin"
                + " WHERE state = 'INSTALLED' AND type = ? AND name = ?")) {
      st.setString(1, type.word());
      st.setString(2, name);
      try (ResultSet rs = st.executeQuery()) {
        if (!rs.next()) {
          return java.util.Optional.empty();
        }
        return java.util.Optional.of(
            new Desired(
                type,
                name,
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                strings(rs.getArray(4)),
                strings(rs.getArray(5)),
                "AUTOLOAD".equals(rs.getString(6))));
      }
    }
  }

  /** This node's rows, by {@link #key}. */
  public Map<String, Held> mine() {
    Map<String, Held> mine = new LinkedHashMap<>();
    for (Held h : rows("node_id = ?", nodeId)) {
      mine.put(h.key(), h);
    }
    return mine;
  }

  /** Every node's row of one plugin, by node id. */
  public List<Held> of(PluginType type, String name) {
    return rows("plugin_type = ? AND name = ?", type.word(), name);
  }

  /** Whether any node has a row of the plugin (else it predates the fleet, or was auto-loaded). */
  public boolean anyHeld(PluginType type, String name) {
    return !of(type, name).isEmpty();
  }

  private List<Held> rows(String where, String... params) {
    return query(c -> rowsIn(c, where, params));
  }

  private static List<Held> rowsIn(Connection c, String where, String... params)
      throws SQLException {
    List<Held> rows = new ArrayList<>();
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT node_id, plugin_type, name, state, version, sha256, files, error,"
                + " output, at, process::text FROM node_plugin WHERE "
                + where
                + " ORDER BY node_id, plugin_type, name")) {
      for (int i = 0; i < params.length; i++) {
        st.setString(i + 1, params[i]);
      }
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new Held(
                  rs.getString(1),
                  PluginType.fromString(rs.getString(2)),
                  rs.getString(3),
                  State.of(rs.getString(4)),
                  rs.getString(5),
                  rs.getString(6),
                  strings(rs.getArray(7)),
                  rs.getString(8),
                  rs.getString(9),
                  rs.getTimestamp(10).toInstant(),
                  rs.getString(11)));
        }
      }
    }
    return rows;
  }

  /** This node's row of a plugin, in the transaction of {@code em}. */
  public void writeIn(
      jakarta.persistence.EntityManager em,
      PluginType type,
      String name,
      State state,
      String version,
      String sha256,
      List<String> files) {
    FleetLedger.jdbc(
        em, c -> upsert(c, nodeId, type, name, state, version, sha256, files, null, null));
  }

  /** Records a state of this node's other than applied: failed, incompatible or pending. */
  public void record(Desired d, State state, String error, String output) {
    query(
        c -> {
          upsert(
              c, nodeId, d.type(), d.name(), state, d.version(), d.sha256(), null, error, output);
          return null;
        });
  }

  /** The generation this node last recorded as converged to; -1 before the first. */
  private volatile long convergedRecorded = -1;

  /**
   * This node converged to {@code generation}. Written once per generation, without waiting for the
   * database's WAL flush ({@code synchronous_commit = off}): a pass runs on every change announced,
   * and a record lost to a database crash only makes the node look behind until its next pass.
   */
  public void converged(long generation) {
    if (generation == convergedRecorded) {
      return;
    }
    int rows =
        write(
            false,
            "UPDATE fleet_node SET applied_generation = GREATEST(applied_generation, ?)"
                + " WHERE node_id = ?",
            st -> {
              st.setLong(1, generation);
              st.setString(2, nodeId);
            });
    // Not registered (yet, or again after a forget): the next pass writes it.
    convergedRecorded = rows == 1 ? generation : -1;
  }

  /**
   * Claims the import of a {@code data/init.json} of this digest for this node: true when no node
   * of the fleet claimed it before (the caller imports it), false when one did.
   */
  public boolean claimInit(String sha256) {
    return query(
        c -> {
          try (PreparedStatement st =
              c.prepareStatement(
                  "INSERT INTO fleet_init (sha256, node_id) VALUES (?, ?)"
                      + " ON CONFLICT (sha256) DO NOTHING")) {
            st.setString(1, sha256);
            st.setString(2, nodeId);
            return st.executeUpdate() == 1;
          }
        });
  }

  /** Records how the import of a claimed {@code data/init.json} ended. */
  public void initImported(String sha256, boolean ok, String summary) {
    update(
        "UPDATE fleet_init SET finished_at = now(), ok = ?, summary = ? WHERE sha256 = ?",
        st -> {
          st.setBoolean(1, ok);
          st.setString(2, summary);
          st.setString(3, sha256);
        });
  }

  // --- writes in a caller's transaction ---------------------------------------------------------

  static void writeApplied(
      Connection c,
      String node,
      PluginType type,
      String name,
      String version,
      String sha256,
      List<String> files)
      throws SQLException {
    upsert(c, node, type, name, State.APPLIED, version, sha256, files, null, null);
  }

  static void writeRemoved(Connection c, String node, PluginType type, String name)
      throws SQLException {
    upsert(c, node, type, name, State.REMOVED, null, null, List.of(), null, null);
  }

  /**
   * Node {@code node}'s row of a plugin, in the transaction of {@code c}; {@code files} null keeps
   * the files the row had (a failed update leaves the old version's files in place).
   */
  private static void upsert(
      Connection c,
      String node,
      PluginType type,
      String name,
      State state,
      String version,
      String sha256,
      List<String> files,
      String error,
      String output)
      throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "INSERT INTO node_plugin (node_id, plugin_type, name, state, version, sha256, files,"
                + " error, output, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now())"
                + " ON CONFLICT (node_id, plugin_type, name) DO UPDATE SET state = EXCLUDED.state,"
                + " version = EXCLUDED.version, sha256 = EXCLUDED.sha256,"
                + (files == null ? "" : " files = EXCLUDED.files,")
                + " error = EXCLUDED.error, output = EXCLUDED.output, at = now()")) {
      st.setString(1, node);
      st.setString(2, type.word());
      st.setString(3, name);
      st.setString(4, state.word());
      st.setString(5, version);
      st.setString(6, sha256);
      st.setArray(7, c.createArrayOf("text", files == null ? new Object[0] : files.toArray()));
      st.setString(8, error);
      st.setString(9, output);
      st.executeUpdate();
    }
  }

  // --- plumbing ---------------------------------------------------------------------------------

  private interface Read<T> {
    T read(Connection c) throws SQLException;
  }

  private interface Bind {
    void bind(PreparedStatement st) throws SQLException;
  }

  private <T> T query(Read<T> read) {
    return tx.inTransaction(
        em -> em.unwrap(org.hibernate.Session.class).doReturningWork(read::read));
  }

  private void update(String sql, Bind bind) {
    write(true, sql, bind);
  }

  /**
   * One statement in a transaction of its own; {@code durable} false: its commit does not wait. The
   * rows it changed.
   */
  private int write(boolean durable, String sql, Bind bind) {
    return query(
        c -> {
          if (!durable) {
            try (java.sql.Statement st = c.createStatement()) {
              st.execute("SET LOCAL synchronous_commit = off");
            }
          }
          try (PreparedStatement st = c.prepareStatement(sql)) {
            bind.bind(st);
            return st.executeUpdate();
          }
        });
  }

  /** Runs {@code work} in one transaction of its own. */
  public void inTransaction(java.util.function.Consumer<jakarta.persistence.EntityManager> work) {
    tx.run(work);
  }

  private static List<String> strings(Array array) throws SQLException {
    if (array == null) {
      return List.of();
    }
    return List.copyOf(Arrays.asList((String[]) array.getArray()));
  }
}
