package dev.kpm.plugin;

import dev.kpm.persistence.Constraints;
import dev.kpm.persistence.Transactions;
import jakarta.persistence.PersistenceException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The install log and the intent journal of the install pipeline: an attempt is recorded before any
 * file is touched, its planned moves before the first move, its outcome at the end. Thread-safe.
 */
public final class InstallRecords {
  private final Transactions tx;
  private final String nodeId;

  /** The records of node {@code nodeId}'s attempts (every node writes into one table). */
  public InstallRecords(Transactions tx, String nodeId) {
    this.tx = tx;
    this.nodeId = nodeId;
  }

  /** The node whose attempts these are. */
  public String nodeId() {
    return nodeId;
  }

  /** A RUNNING attempt found at start-up: what recovery must finish or undo. */
  public record Running(
      long id,
      PluginType type,
      String name,
      InstallOperation operation,
      Path staging,
      List<String> manifest) {}

  /** Records the start of an attempt; refused while another one runs for the same plugin. */
  public long begin(PluginType type, String name, InstallOperation op, String url, Path staging) {
    return begin(type, name, op, url, staging, false);
  }

  /**
   * Records the start of an attempt, of the desired state ({@code fleetApply} false: refused while
   * another one runs for the plugin anywhere in the fleet) or of this node applying it to its home
   * (true: refused while this node applies the plugin already).
   */
  public long begin(
      PluginType type,
      String name,
      InstallOperation op,
      String url,
      Path staging,
      boolean fleetApply) {
    try {
      return tx.inTransaction(
          em -> {
            InstallRecord r =
                new InstallRecord(type, name, op, url, staging.toString(), nodeId, fleetApply);
            em.persist(r);
            em.flush();
            return r.id();
          });
    } catch (PersistenceException e) {
      if (Constraints.violated(e, "install_record_running_uq")
          || Constraints.violated(e, "install_record_applying_uq")) {
        throw PluginException.invalid(
            "invalid name " + name + ": another install of it is in progress");
      }
      throw e;
    }
  }

  /**
   * Stores the planned moves; called before the first move into the home folder. One UPDATE, not a
   * load of the record and a dirty check: every install and every node's apply runs it.
   */
  public void plan(long id, List<String> manifest) {
    tx.run(
        em ->
            em.unwrap(org.hibernate.Session.class)
                .doWork(
                    c -> {
                      try (java.sql.PreparedStatement st =
                          c.prepareStatement(
                              "UPDATE install_record SET manifest = ? WHERE id = ?")) {
                        st.setArray(1, c.createArrayOf("text", manifest.toArray()));
                        st.setLong(2, id);
                        if (st.executeUpdate() != 1) {
                          throw new IllegalStateException("install record " + id + " is gone");
                        }
                      }
                    }));
  }

  /**
   * Ends an attempt as succeeded, in one transaction with what {@code with} writes (a node's
   * applied state of the plugin): either both are recorded or neither.
   */
  public void succeed(
      long id,
      InstallLog log,
      java.util.function.Consumer<jakarta.persistence.EntityManager> with) {
    tx.run(
        em -> {
          em.find(InstallRecord.class, id).finish(InstallState.SUCCEEDED, null, log);
          with.accept(em);
        });
  }

  /** What this node's latest attempt of the plugin printed (install.sh or the process), if any. */
  public String lastOutput(PluginType type, String name) {
    return tx.inTransaction(
        em ->
            em.createQuery(
                    "select r from InstallRecord r where r.nodeId = :node and r.pluginType = :t"
                        + " and r.pluginName = :n order by r.id desc",
                    InstallRecord.class)
                .setParameter("node", nodeId)
                .setParameter("t", type)
                .setParameter("n", name)
                .setMaxResults(1)
                .getResultStream()
                .findFirst()
                .map(
                    r ->
                        java.util.stream.Stream.of(r.stdoutTail(), r.stderrTail())
                            .filter(t -> t != null && !t.isEmpty())
                            .collect(java.util.stream.Collectors.joining("\n")))
                .filter(t -> !t.isEmpty())
                .orElse(null));
  }

  public void fail(long id, String error, InstallLog log) {
    tx.run(em -> em.find(InstallRecord.class, id).finish(InstallState.FAILED, error, log));
  }

  public void abort(long id, String why) {
    tx.run(
        em -> em.find(InstallRecord.class, id).finish(InstallState.ABORTED, why, InstallLog.EMPTY));
  }

  /** Aborts the RUNNING attempt staged in {@code staging}, if the database has one. */
  public void abortRunning(Path staging, String why) {
    tx.run(
        em ->
            em.createQuery(
                    "select r from InstallRecord r where r.state = :state and r.stagingDir = :dir",
                    InstallRecord.class)
                .setParameter("state", InstallState.RUNNING)
                .setParameter("dir", staging.toString())
                .getResultStream()
                .forEach(r -> r.finish(InstallState.ABORTED, why, InstallLog.EMPTY)));
  }

  /** The state of one attempt, as the database has it. */
  public InstallState state(long id) {
    return tx.inTransaction(em -> em.find(InstallRecord.class, id).state());
  }

  /**
   * This node's RUNNING attempts, and those recorded before nodes were (V5): what its start-up
   * recovery settles. Other nodes' attempts are theirs to settle.
   */
  public List<Running> running() {
    return tx.inTransaction(
        em ->
            em.createQuery(
                    "select r from InstallRecord r where r.state = :state"
                        + " and (r.nodeId = :node or r.nodeId is null) order by r.id",
                    InstallRecord.class)
                .setParameter("state", InstallState.RUNNING)
                .setParameter("node", nodeId)
                .getResultStream()
                .map(
                    r ->
                        new Running(
                            r.id(),
                            r.pluginType(),
                            r.pluginName(),
                            r.operation(),
                            Path.of(r.stagingDir()),
                            Arrays.asList(r.manifest())))
                .toList());
  }

  /**
   * One install record as a job: what {@code GET /jobs/{id}} shows once kpm no longer has the job
   * in memory.
   */
  public record JobRow(
      long id,
      PluginType type,
      String name,
      InstallOperation operation,
      InstallState state,
      java.time.Instant startedAt,
      Long durationMs,
      Long bytes,
      String error,
      String stdout,
      String stderr) {
    static JobRow from(InstallRecord r) {
      return new JobRow(
          r.id(),
          r.pluginType(),
          r.pluginName(),
          r.operation(),
          r.state(),
          r.startedAt(),
          r.durationMs(),
          r.bytes(),
          r.error(),
          r.stdoutTail(),
          r.stderrTail());
    }
  }

  public java.util.Optional<JobRow> job(long id) {
    return tx.inTransaction(
        em -> java.util.Optional.ofNullable(em.find(InstallRecord.class, id)).map(JobRow::from));
  }

  /** The newest records, optionally only those in {@code state}. */
  public List<JobRow> recent(InstallState state, int limit) {
    return tx.inTransaction(
        em -> {
          var q =
              em.createQuery(
                  "select r from InstallRecord r"
                      + (state == null ? "" : " where r.state = :state")
                      + " order by r.id desc",
                  InstallRecord.class);
          if (state != null) {
            q.setParameter("state", state);
          }
          return q.setMaxResults(limit).getResultStream().map(JobRow::from).toList();
        });
  }

  /** The attempts for one plugin, newest first. */
  public List<InstallRecordView> history(PluginType type, String name) {
    return tx.inTransaction(
        em ->
            em.createQuery(
                    "select r from InstallRecord r where r.pluginType = :type"
                        + " and r.pluginName = :name order by r.id desc",
                    InstallRecord.class)
                .setParameter("type", type)
                .setParameter("name", name)
                .setMaxResults(50)
                .getResultStream()
                .map(InstallRecordView::from)
                .toList());
  }
}
