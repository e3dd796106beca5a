package dev.kpm.fleet;

import dev.kpm.audit.Act;
import dev.kpm.audit.AuditTrail;
import dev.kpm.persistence.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hibernate.Session;

/**
 * The fleet's nodes read from {@code fleet_node} with their per-plugin counts from {@code
 * node_plugin}; live means a heartbeat younger than {@code kpm.fleet.downAfter} by the database's
 * clock. Forgetting a node deletes its row (its {@code node_plugin} rows cascade) in the
 * transaction that appends the audit event.
 */
public final class NodeDirectory implements FleetNodes {
  private static final String SELECT =
      "SELECT n.node_id, n.address, n.kpm_version, n.os, n.arch, n.engine::text, n.home,"
          + " n.started_at, n.heartbeat_at,"
          + " n.heartbeat_at > now() - ? * interval '1 millisecond' AS live,"
          + " n.applied_generation,"
          // pending: plugins of the desired state (installed through the API, so with an archive)
          // this node has neither applied, failed nor found incompatible at their current digest
          + " (SELECT count(*) FROM plugin d WHERE d.state = 'INSTALLED' AND d.origin = 'API'"
          + " AND d.sha256 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM node_plugin p"
          + " WHERE p.node_id = n.node_id AND p.plugin_type = d.type AND p.name = d.name"
          + " AND p.sha256 = d.sha256 AND p.state IN ('applied', 'failed', 'incompatible'))),"
          + " count(d.id) FILTER (WHERE p.state = 'failed'),"
          + " count(d.id) FILTER (WHERE p.state = 'incompatible')"
          + " FROM fleet_node n LEFT JOIN node_plugin p ON p.node_id = n.node_id"
          + " LEFT JOIN plugin d ON d.type = p.plugin_type AND d.name = p.name"
          + " AND d.sha256 = p.sha256 AND d.state = 'INSTALLED'";

  private final Transactions tx;
  private final AuditTrail audit;
  private final String selfId;
  private final Duration downAfter;

  /**
   * @param selfId the id of the node answering
   * @param downAfter a node whose last heartbeat is older is down
   */
  public NodeDirectory(Transactions tx, AuditTrail audit, String selfId, Duration downAfter) {
    this.tx = tx;
    this.audit = audit;
    this.selfId = selfId;
    this.downAfter = downAfter;
  }

  @Override
  public List<FleetNode> nodes() {
    return tx.inTransaction(em -> em.unwrap(Session.class).doReturningWork(c -> select(c, null)));
  }

  @Override
  public Optional<FleetNode> node(String id) {
    if (!NodeInfo.validId(id)) {
      return Optional.empty();
    }
    return tx.inTransaction(
        em -> em.unwrap(Session.class).doReturningWork(c -> select(c, id).stream().findFirst()));
  }

  @Override
  public java.util.Map<String, NodeCounts> progress(dev.kpm.plugin.PluginType type) {
    return tx.inTransaction(
        em ->
            em.unwrap(Session.class)
                .doReturningWork(
                    c -> {
                      java.util.Map<String, NodeCounts> all = new java.util.TreeMap<>();
                      try (PreparedStatement s =
                          c.prepareStatement(
                              "SELECT p.name, count(f.node_id),"
                                  + " count(*) FILTER (WHERE n.state = 'applied'"
                                  + " AND n.sha256 = p.sha256),"
                                  + " count(*) FILTER (WHERE n.state = 'failed'"
                                  + " AND n.sha256 = p.sha256),"
                                  + " count(*) FILTER (WHERE n.state = 'incompatible'"
                                  + " AND n.sha256 = p.sha256)"
                                  + " FROM plugin p"
                                  + " JOIN fleet_node f ON f.heartbeat_at > now() - ? * interval"
                                  + " '1 millisecond'"
                                  + " LEFT JOIN node_plugin n ON n.node_id = f.node_id"
                                  + " AND n.plugin_type = p.type AND n.name = p.name"
                                  + " WHERE p.type = ? AND p.state = 'INSTALLED'"
                                  + " AND p.origin = 'API' GROUP BY p.name")) {
                        s.setLong(1, downAfter.toMillis());
                        s.setString(2, type.word());
                        try (ResultSet rs = s.executeQuery()) {
                          while (rs.next()) {
                            all.put(
                                rs.getString(1),
                                new NodeCounts(
                                    rs.getInt(2), rs.getInt(3), rs.getInt(4), rs.getInt(5)));
                          }
                        }
                      }
                      return all;
                    }));
  }

  @Override
  public Forget forget(String id, Act act) {
    act.plugin("fleet", id);
    if (!NodeInfo.validId(id)) {
      return new Forget(Outcome.NOT_FOUND, null);
    }
    Forget result =
        tx.inTransaction(
            em -> {
              Forget f =
                  em.unwrap(Session.class)
                      .doReturningWork(
                          c -> {
                            lockRow(c, id);
                            Optional<FleetNode> found = select(c, id).stream().findFirst();
                            if (found.isEmpty()) {
                              return new Forget(Outcome.NOT_FOUND, null);
                            }
                            FleetNode node = found.get();
                            if (node.self()) {
                              return new Forget(Outcome.SELF, node);
                            }
                            if (node.live()) {
                              return new Forget(Outcome.LIVE, node);
                            }
                            try (PreparedStatement s =
                                c.prepareStatement("DELETE FROM fleet_node WHERE node_id = ?")) {
                              s.setString(1, id);
                              s.executeUpdate();
                            }
                            return new Forget(Outcome.FORGOTTEN, node);
                          });
              if (f.node() != null) {
                act.detail(
                    "node "
                        + id
                        + " at "
                        + f.node().address()
                        + ", last heartbeat "
                        + f.node().heartbeatAt()
                        + ", "
                        + (f.node().pending() + f.node().failed() + f.node().incompatible())
                        + " plugin(s) pending, failed or incompatible");
              }
              if (f.outcome() == Outcome.FORGOTTEN) {
                audit.append(em, act.succeeded());
              }
              return f;
            });
    if (result.outcome() == Outcome.FORGOTTEN) {
      act.recorded();
    }
    return result;
  }

  /**
   * Locks the node's row until the transaction ends, so its heartbeat waits for the decision (and
   * then registers it again, should it be alive after all).
   */
  private static void lockRow(Connection c, String id) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT 1 FROM fleet_node WHERE node_id = ? FOR UPDATE")) {
      s.setString(1, id);
      s.executeQuery().close();
    }
  }

  private List<FleetNode> select(Connection c, String id) throws SQLException {
    String sql =
        SELECT
            + (id == null ? "" : " WHERE n.node_id = ?")
            + " GROUP BY n.node_id ORDER BY n.node_id";
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setLong(1, downAfter.toMillis());
      if (id != null) {
        s.setString(2, id);
      }
      List<FleetNode> nodes = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          String nodeId = rs.getString(1);
          nodes.add(
              new FleetNode(
                  nodeId,
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getString(6),
                  rs.getString(7),
                  rs.getObject(8, OffsetDateTime.class).toInstant(),
                  rs.getObject(9, OffsetDateTime.class).toInstant(),
                  rs.getBoolean(10),
                  nodeId.equals(selfId),
                  rs.getLong(11),
                  rs.getLong(12),
                  rs.getLong(13),
                  rs.getLong(14)));
        }
      }
      return nodes;
    }
  }
}
