package dev.kpm.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kpm.persistence.Transactions;
import dev.kpm.threads.NamedThreads;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.hibernate.Session;

/**
 * This node's row in {@code fleet_node}: upserted when kpm starts, its heartbeat written every
 * {@code kpm.fleet.heartbeat} on the daemon thread {@code kpm-fleet}. Times are the database's
 * clock, never this node's. A heartbeat that fails (the database is away) is logged once per outage
 * and kpm runs on; a row that vanished (forgotten while this node was taken for gone) is registered
 * again. Closing stops the heartbeat: the node then reads as down once {@code kpm.fleet.downAfter}
 * has passed.
 */
public final class NodeRegistry implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(NodeRegistry.class.getName());
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  /** How long close waits for a heartbeat in flight: bounded by the statement timeout anyway. */
  private static final Duration STOP_WAIT = Duration.ofSeconds(5);

  private final Transactions tx;
  private final NodeInfo self;
  private final String engineJson;
  private final ScheduledExecutorService timer;

  /** When this node registered, by the database's clock; null until it has. */
  private volatile OffsetDateTime startedAt;

  /** The last heartbeat failed: the outage is logged once, its end once. */
  private volatile boolean failing;

  /** Another kpm with this node id was seen (logged once). */
  private volatile boolean twinReported;

  private NodeRegistry(Transactions tx, NodeInfo self) {
    this.tx = tx;
    this.self = self;
    this.engineJson = json(self);
    this.timer = Executors.newSingleThreadScheduledExecutor(NamedThreads.of("kpm-fleet"));
  }

  /**
   * Registers this node (a failure is logged and retried by the heartbeat) and starts its
   * heartbeat.
   */
  public static NodeRegistry start(Transactions tx, NodeInfo self, Duration heartbeat) {
    NodeRegistry registry = new NodeRegistry(tx, self);
    registry.beat();
    long every = heartbeat.toMillis();
    registry.timer.scheduleWithFixedDelay(registry::beat, every, every, TimeUnit.MILLISECONDS);
    return registry;
  }

  public NodeInfo self() {
    return self;
  }

  /** One heartbeat, registering first when the row is missing; never throws. */
  void beat() {
    try {
      boolean found = startedAt != null && heartbeat();
      if (!found) {
        register();
      }
      if (failing) {
        failing = false;
        LOG.info(() -> "fleet: the heartbeat of node " + self.id() + " is written again");
      }
    } catch (RuntimeException e) {
      if (!failing) {
        failing = true;
        LOG.log(
            Level.WARNING,
            "fleet: the heartbeat of node "
                + self.id()
                + " failed; kpm runs on and keeps trying (logged once until it works again): "
                + e,
            e);
      }
    }
  }

  /** Updates the heartbeat; false when the row is gone (forgotten). */
  private boolean heartbeat() {
    OffsetDateTime registered =
        startedAtOf(
            "UPDATE fleet_node SET heartbeat_at = clock_timestamp()"
                + " WHERE node_id = ? RETURNING started_at",
            s -> s.setString(1, self.id()));
    if (registered == null) {
      return false;
    }
    if (!registered.toInstant().equals(startedAt.toInstant()) && !twinReported) {
      twinReported = true;
      LOG.severe(
          () ->
              "fleet: another kpm registered node id "
                  + self.id()
                  + " (started at "
                  + registered
                  + "); give every node its own kpm.node.id");
    }
    return true;
  }

  private interface Binder {
    void bind(PreparedStatement statement) throws SQLException;
  }

  /** Runs one statement of this node's row that returns its started_at; null when no row. */
  private OffsetDateTime startedAtOf(String sql, Binder binder) {
    return tx.inTransaction(
        em ->
            em.unwrap(Session.class)
                .doReturningWork(
                    c -> {
                      try (PreparedStatement s = c.prepareStatement(sql)) {
                        binder.bind(s);
                        try (ResultSet rs = s.executeQuery()) {
                          return rs.next() ? rs.getObject(1, OffsetDateTime.class) : null;
                        }
                      }
                    }));
  }

  /** Upserts the row: everything this node says of itself, started and heartbeat now. */
  private void register() {
    OffsetDateTime first = startedAt;
    OffsetDateTime registered =
        startedAtOf(
            "INSERT INTO fleet_node (node_id, address, kpm_version, os, arch,"
                + " engine, home, started_at, heartbeat_at)"
                + " VALUES (?, ?, ?, ?, ?, CAST(? AS jsonb), ?,"
                + " COALESCE(?, clock_timestamp()), clock_timestamp())"
                + " ON CONFLICT (node_id) DO UPDATE SET"
                + " address = EXCLUDED.address,"
                + " kpm_version = EXCLUDED.kpm_version, os = EXCLUDED.os,"
                + " arch = EXCLUDED.arch, engine = EXCLUDED.engine,"
                + " home = EXCLUDED.home, started_at = EXCLUDED.started_at,"
                + " heartbeat_at = EXCLUDED.heartbeat_at"
                + " RETURNING started_at",
            s -> {
              s.setString(1, self.id());
              s.setString(2, self.address());
              s.setString(3, cut(self.kpmVersion(), 64));
              s.setString(4, cut(self.os(), 64));
              s.setString(5, cut(self.arch(), 64));
              s.setString(6, engineJson);
              s.setString(7, self.home());
              s.setTimestamp(8, first == null ? null : Timestamp.from(first.toInstant()));
            });
    boolean again = startedAt != null;
    startedAt = registered;
    if (again) {
      LOG.info(() -> "fleet: node " + self.id() + " was forgotten while running; registered again");
    } else {
      LOG.info(
          () ->
              "fleet: node "
                  + self.id()
                  + " registered ("
                  + self.address()
                  + ", "
                  + self.os()
                  + "/"
                  + self.arch()
                  + ")");
    }
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  private static String json(NodeInfo self) {
    if (self.engine() == null) {
      return null;
    }
    try {
      return JSON.writeValueAsString(new TreeMap<>(self.engine()));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("engine summary is not JSON: " + e.getMessage(), e);
    }
  }

  /** Stops the heartbeat, waiting for one in flight. */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      if (!timer.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warning("fleet: the heartbeat thread did not stop within " + STOP_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
