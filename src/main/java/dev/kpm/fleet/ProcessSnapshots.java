package dev.kpm.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.persistence.Transactions;
import dev.kpm.threads.NamedThreads;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every node's portable processes as the fleet sees them: this node writes the status of each of
 * its processes into its {@code node_plugin} rows ({@code process}), so that any node can answer
 * {@code GET /plugins/portables/{name}/nodes}. A write is asked on every process event and after
 * every change; asks within {@link #COALESCE} make one write, on the thread {@code kpm-fleet-ps}.
 */
public final class ProcessSnapshots implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ProcessSnapshots.class.getName());
  static final Duration COALESCE = Duration.ofMillis(200);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Transactions tx;
  private final String nodeId;
  private volatile Supplier<Map<String, Map<String, Object>>> processes = Map::of;
  private final ScheduledExecutorService writer =
      Executors.newSingleThreadScheduledExecutor(NamedThreads.of("kpm-fleet-ps"));
  private final AtomicBoolean asked = new AtomicBoolean();

  /**
   * What the last write stored in full (every row found); a request that would store it again is
   * skipped, so a node without portable changes writes nothing. Only the writer thread uses it.
   */
  private Map<String, Map<String, Object>> written = Map.of();

  public ProcessSnapshots(Transactions tx, String nodeId) {
    this.tx = tx;
    this.nodeId = nodeId;
  }

  /** Where the statuses come from: process name to its status fields. */
  public void from(Supplier<Map<String, Map<String, Object>>> processes) {
    this.processes = processes;
  }

  /** Asks for a write soon. Never blocks. */
  public void request() {
    if (asked.compareAndSet(false, true)) {
      try {
        writer.schedule(this::write, COALESCE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        asked.set(false); // stopping
      }
    }
  }

  private void write() {
    asked.set(false);
    try {
      Map<String, Map<String, Object>> now = processes.get();
      if (now.equals(written)) {
        return;
      }
      boolean[] complete = {true};
      tx.run(
          em ->
              FleetLedger.jdbc(
                  em,
                  c -> {
                    try (PreparedStatement clear =
                        c.prepareStatement(
                            "UPDATE node_plugin SET process = NULL WHERE node_id = ?"
                                + " AND plugin_type = 'portables' AND process IS NOT NULL")) {
                      clear.setString(1, nodeId);
                      clear.executeUpdate();
                    }
                    try (PreparedStatement set =
                        c.prepareStatement(
                            "UPDATE node_plugin SET process = ?::jsonb WHERE node_id = ?"
                                + " AND plugin_type = 'portables' AND name = ?")) {
                      for (Map.Entry<String, Map<String, Object>> e : now.entrySet()) {
                        set.setString(1, json(e.getValue()));
                        set.setString(2, nodeId);
                        set.setString(3, e.getKey());
                        set.addBatch();
                      }
                      for (int updated : set.executeBatch()) {
                        // a process whose row is not committed yet: write again next time
                        complete[0] &= updated == 1;
                      }
                    }
                  }));
      written = complete[0] ? Map.copyOf(now) : null;
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "fleet: the process statuses could not be written", e);
    }
  }

  private static String json(Map<String, Object> status) {
    try {
      return JSON.writeValueAsString(status);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    writer.shutdownNow();
  }
}
