package dev.kpm.fleet;

import dev.kpm.plugin.FleetCommit;
import dev.kpm.plugin.PluginType;
import jakarta.persistence.EntityManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.hibernate.Session;

/**
 * The fleet's part of a change of the desired state, in the change's transaction: a transaction
 * advisory lock on the plugin (one change of it at a time, fleet-wide, held only until the commit —
 * never across a download or a script), this node's {@code node_plugin} row, the generation counter
 * incremented, and a {@code NOTIFY} on {@link #CHANNEL} that PostgreSQL delivers at the commit, and
 * only if it commits.
 */
public final class FleetLedger implements FleetCommit {
  /** The channel every node listens on; the payload is {@code <node id>:<generation>}. */
  public static final String CHANNEL = "kpm_fleet";

  /**
   * A payload asking one node to re-apply everything, failures included: {@code reconcile:<id>}.
   */
  public static final String RECONCILE = "reconcile:";

  /**
   * A payload telling the other nodes, before the change commits, that a large archive of a plugin
   * is stored and may be staged ahead ({@code stored\n<type>\n<sha256>\n<node id>\n<name>}); or,
   * with {@code dropped}, that the change it was stored for ended without a commit.
   */
  public record Notice(boolean stored, PluginType type, String sha256, String nodeId, String name) {
    private static final String STORED = "stored\n";
    private static final String DROPPED = "dropped\n";

    /** The notice a payload carries, if it is one. */
    public static Optional<Notice> parse(String payload) {
      boolean stored = payload.startsWith(STORED);
      if (!stored && !payload.startsWith(DROPPED)) {
        return Optional.empty();
      }
      String[] parts = payload.split("\n", 5);
      if (parts.length != 5) {
        return Optional.empty();
      }
      try {
        return Optional.of(
            new Notice(stored, PluginType.fromString(parts[1]), parts[2], parts[3], parts[4]));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }

    /** The notice that the change this archive was stored for ended without a commit. */
    public Notice dropped() {
      return new Notice(false, type, sha256, nodeId, name);
    }

    /** This notice as a payload of {@link #CHANNEL}. */
    public String payload() {
      return String.join("\n", stored ? "stored" : "dropped", type.word(), sha256, nodeId, name);
    }
  }

  private final String nodeId;

  public FleetLedger(String nodeId) {
    this.nodeId = nodeId;
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public void lock(EntityManager em, PluginType type, String name) {
    jdbc(
        em,
        c -> {
          try (PreparedStatement st =
              c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
            st.setString(1, "kpm:plugin:" + type.word() + "/" + name);
            st.executeQuery().close();
          }
        });
  }

  @Override
  public void applied(
      EntityManager em,
      PluginType type,
      String name,
      String version,
      String sha256,
      List<String> files) {
    jdbc(em, c -> NodeStates.writeApplied(c, nodeId, type, name, version, sha256, files));
    changed(em);
  }

  @Override
  public void removed(EntityManager em, PluginType type, String name) {
    jdbc(em, c -> NodeStates.writeRemoved(c, nodeId, type, name));
    changed(em);
  }

  @Override
  public void changed(EntityManager em) {
    jdbc(em, c -> announce(c, nodeId));
  }

  /**
   * Increments the generation and notifies every node, at the commit of {@code c}'s transaction.
   */
  static long announce(Connection c, String nodeId) throws SQLException {
    long generation;
    try (PreparedStatement st =
            c.prepareStatement(
                "UPDATE fleet_state SET generation = generation + 1 WHERE id = 1"
                    + " RETURNING generation");
        ResultSet rs = st.executeQuery()) {
      rs.next();
      generation = rs.getLong(1);
    }
    notify(c, nodeId + ":" + generation);
    return generation;
  }

  /** A notification on {@link #CHANNEL}, sent when {@code c}'s transaction commits. */
  static void notify(Connection c, String payload) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      st.setString(1, CHANNEL);
      st.setString(2, payload);
      st.executeQuery().close();
    }
  }

  interface Work {
    void run(Connection c) throws SQLException;
  }

  static void jdbc(EntityManager em, Work work) {
    em.unwrap(Session.class).doWork(work::run);
  }
}
