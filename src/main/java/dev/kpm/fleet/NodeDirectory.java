package dev.kpm.fleet;

import dev.kpm.audit.Act;
import dev.kpm.audit.AuditTrail;
import dev.kpm.persistence.Transactions;
import dev.kpm.plugin.PluginType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hibernate.Session;

/**
 * The fleet's nodes read from {@code fleet_node} with their per-plugin counts from {@code
 * node_plugin}; live means a heartbeat younger than {@code kpm.fleet.downAfter} by the database's
 * clock. Forgetting a node deletes its row (its {@code node_plugin} rows cascade) in the
 * transaction that appends the audit event; so does asking one to reconcile, whose notification
 * PostgreSQL delivers at that commit. A plugin's per-node states come from one statement joining
 * every node to its {@code node_plugin} row and the desired {@code plugin} row.
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

  /** Plain JDBC in one short transaction. */
  private <T> T work(org.hibernate.jdbc.ReturningWork<T> work) {
    return tx.inTransaction(em -> em.unwrap(Session.class).doReturningWork(work));
  }

  @Override
  public List<FleetNode> nodes() {
    return work(c -> select(c, null));
  }

  @Override
  public Optional<FleetNode> node(String id) {
    if (!NodeInfo.validId(id)) {
      return Optional.empty();
    }
    return work(c -> select(c, id).stream().findFirst());
  }

  /**
   * Whether another node than this one is live: one that would stage a large archive ahead as soon
   * as it is stored. Asked once per large install, so it is one short query.
   */
  public boolean othersLive() {
    return work(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT EXISTS (SELECT 1 FROM fleet_node WHERE node_id <> ?"
                      + " AND heartbeat_at > now() - ? * interval '1 millisecond')")) {
            s.setString(1, selfId);
            s.setLong(2, downAfter.toMillis());
            try (ResultSet rs = s.executeQuery()) {
              return rs.next() && rs.getBoolean(1);
            }
          }
        });
  }

  @Override
  public java.util.Map<String, NodeCounts> progress(dev.kpm.plugin.PluginType type) {
    return work(
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
                    new NodeCounts(rs.getInt(2), rs.getInt(3), rs.getInt(4), rs.getInt(5)));
              }
            }
          }
          return all;
        });
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

  private static final String OF_PLUGIN =
      "SELECT n.node_id, n.address, n.heartbeat_at > now() - ? * interval '1 millisecond',"
          + " p.state, p.version, p.sha256, p.error, p.output, p.at, p.process::text,"
          + " (SELECT d.sha256 FROM plugin d WHERE d.state = 'INSTALLED' AND d.type = ?"
          + " AND d.name = ?), (SELECT d.origin FROM plugin d WHERE d.state = 'INSTALLED'"
          + " AND d.type = ? AND d.name = ?)"
          + " FROM fleet_node n LEFT JOIN node_plugin p ON p.node_id = n.node_id"
          + " AND p.plugin_type = ? AND p.name = ? ORDER BY n.node_id";

  /** States a live node leaves for the new digest once the fleet wants another one. */
  private static final Set<String> SUPERSEDED = Set.of("applied", "removed");

  @Override
  public Optional<List<PluginOnNode>> ofPlugin(PluginType type, String name) {
    return work(
        c -> {
          try (PreparedStatement s = c.prepareStatement(OF_PLUGIN)) {
            s.setLong(1, downAfter.toMillis());
            for (int i = 2; i <= 6; i += 2) {
              s.setString(i, type.word());
              s.setString(i + 1, name);
            }
            List<PluginOnNode> nodes = new ArrayList<>();
            boolean desired = false;
            boolean fleetWide = false;
            boolean held = false;
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                // An auto-loaded plugin is its node's own: no other node is pending.
                String origin = rs.getString(12);
                desired = origin != null;
                fleetWide = "API".equals(origin);
                held |= rs.getString(4) != null;
                nodes.add(onNode(rs, fleetWide, rs.getString(11)));
              }
            }
            return desired || held ? Optional.of(nodes) : Optional.empty();
          }
        });
  }

  private PluginOnNode onNode(ResultSet rs, boolean fleetWide, String desiredSha)
      throws SQLException {
    String node = rs.getString(1);
    boolean live = rs.getBoolean(3);
    String state = rs.getString(4);
    String sha = rs.getString(6);
    boolean current = state != null && sha != null && sha.equals(desiredSha);
    OffsetDateTime at = rs.getObject(9, OffsetDateTime.class);
    boolean pending =
        fleetWide && (state == null || (live && !current && SUPERSEDED.contains(state)));
    return new PluginOnNode(
        node,
        rs.getString(2),
        live,
        node.equals(selfId),
        pending ? "pending" : state,
        rs.getString(5),
        sha,
        current,
        rs.getString(7),
        rs.getString(8),
        at == null ? null : at.toInstant(),
        rs.getString(10));
  }

  @Override
  public Reconcile reconcile(String id, Act act) {
    act.plugin("fleet", id);
    if (!NodeInfo.validId(id)) {
      return new Reconcile(Asked.NOT_FOUND, null);
    }
    Reconcile result =
        tx.inTransaction(
            em -> {
              Reconcile r =
                  em.unwrap(Session.class)
                      .doReturningWork(
                          c -> {
                            Optional<FleetNode> found = select(c, id).stream().findFirst();
                            if (found.isEmpty()) {
                              return new Reconcile(Asked.NOT_FOUND, null);
                            }
                            FleetNode node = found.get();
                            if (!node.live()) {
                              return new Reconcile(Asked.DOWN, node);
                            }
                            FleetLedger.notify(c, FleetLedger.RECONCILE + id);
                            return new Reconcile(Asked.REQUESTED, node);
                          });
              if (r.node() != null) {
                act.detail(
                    "node "
                        + id
                        + " at "
                        + r.node().address()
                        + ", "
                        + r.node().failed()
                        + " plugin(s) failed, "
                        + r.node().incompatible()
                        + " incompatible, "
                        + r.node().pending()
                        + " pending");
              }
              if (r.outcome() == Asked.REQUESTED) {
                audit.append(em, act.succeeded());
              }
              return r;
            });
    if (result.outcome() == Asked.REQUESTED) {
      act.recorded();
    }
    return result;
  }

  @Override
  public Optional<String> importStatus() {
    return work(
        c -> {
          try (PreparedStatement st =
                  c.prepareStatement("SELECT status FROM data_import_status WHERE id = 1");
              ResultSet rs = st.executeQuery()) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
          }
        });
  }

  @Override
  public void recordImportStatus(String status, java.time.Instant at) {
    tx.run(
        em ->
            em.unwrap(Session.class)
                .doWork(
                    c -> {
                      try (PreparedStatement st =
                          c.prepareStatement(
                              "INSERT INTO data_import_status (id, status, node_id, recorded_at)"
                                  + " VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                                  + " status = EXCLUDED.status, node_id = EXCLUDED.node_id,"
                                  + " recorded_at = EXCLUDED.recorded_at"
                                  + " WHERE data_import_status.recorded_at <= EXCLUDED.recorded_at")) {
                        st.setString(1, status);
                        st.setString(2, selfId);
                        st.setObject(
                            3, java.time.OffsetDateTime.ofInstant(at, java.time.ZoneOffset.UTC));
                        st.executeUpdate();
                      }
                    }));
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
