package dev.kpm.fleet;

import dev.kpm.threads.NamedThreads;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * What tells this node that the desired state changed: {@code LISTEN} on {@link
 * FleetLedger#CHANNEL} on a dedicated connection (thread {@code kpm-fleet-listen}), and, as the
 * backstop for a notification missed while the connection was down, a tick every {@code
 * kpm.fleet.reconcile}. Every (re)connection is followed by a catch-up, since notifications sent
 * meanwhile are lost. A lost connection is logged once per outage and opened again.
 */
public final class FleetSignal implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(FleetSignal.class.getName());
  private static final int WAIT_MILLIS = 500;
  private static final Duration RETRY = Duration.ofSeconds(1);

  /** Opens the dedicated connection. */
  public interface Connections {
    Connection open() throws SQLException;
  }

  /** Who is told. Must not block: it hands the work to its own thread. */
  public interface Listener {
    /** The desired state changed (or may have): converge; {@code retry}: failures too. */
    void changed(boolean retry);

    /** The backstop tick: converge if the fleet's generation moved past this node's. */
    void tick();

    /**
     * Another node stored a large archive for a change it has not committed yet ({@link
     * FleetLedger.Notice#stored()}), or that change ended without a commit: stage it ahead, or drop
     * what was staged.
     */
    void notice(FleetLedger.Notice notice);
  }

  private final Connections connections;
  private final String nodeId;
  private final long tickNanos;
  private final Listener listener;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean failing;

  /** When the backstop tick is due next ({@link System#nanoTime()}), connected or not. */
  private long nextTick;

  private FleetSignal(Connections connections, String nodeId, Duration tick, Listener listener) {
    this.connections = connections;
    this.nodeId = nodeId;
    this.tickNanos = tick.toNanos();
    this.listener = listener;
    this.thread = NamedThreads.of("kpm-fleet-listen").newThread(this::loop);
  }

  public static FleetSignal start(
      Connections connections, String nodeId, Duration tick, Listener listener) {
    FleetSignal signal = new FleetSignal(connections, nodeId, tick, listener);
    signal.thread.start();
    return signal;
  }

  private void loop() {
    nextTick = System.nanoTime() + tickNanos;
    while (closed.getCount() > 0) {
      try (Connection c = connections.open()) {
        try (Statement st = c.createStatement()) {
          st.execute("LISTEN " + FleetLedger.CHANNEL);
        }
        if (failing) {
          failing = false;
          LOG.info("fleet: listening for changes again");
        }
        listener.changed(false); // whatever was announced while not listening
        listen(c);
      } catch (SQLException | RuntimeException e) {
        if (closed.getCount() == 0) {
          return;
        }
        if (!failing) {
          failing = true;
          LOG.log(
              Level.WARNING,
              "fleet: the connection listening for changes failed; kpm runs on, reconciles every"
                  + " tick and keeps trying (logged once until it works again): "
                  + e,
              e);
        }
        // The backstop keeps its own pace: retrying the connection must not press the pool.
        tickIfDue();
        await(RETRY);
      }
    }
  }

  private void tickIfDue() {
    if (System.nanoTime() - nextTick >= 0) {
      listener.tick();
      nextTick = System.nanoTime() + tickNanos;
    }
  }

  private void listen(Connection c) throws SQLException {
    PGConnection pg = c.unwrap(PGConnection.class);
    while (closed.getCount() > 0) {
      PGNotification[] received = pg.getNotifications(WAIT_MILLIS);
      if (received != null) {
        for (PGNotification n : received) {
          heard(n.getParameter());
        }
      }
      if (System.nanoTime() - nextTick >= 0) {
        try (Statement st = c.createStatement()) {
          st.execute("SELECT 1"); // a dead connection fails here, not silently
        }
        tickIfDue();
      }
    }
  }

  private void heard(String payload) {
    Optional<FleetLedger.Notice> notice = FleetLedger.Notice.parse(payload);
    if (notice.isPresent()) {
      if (!notice.get().nodeId().equals(nodeId)) {
        listener.notice(notice.get());
      }
    } else if (payload.startsWith(FleetLedger.RECONCILE)) {
      if (payload.equals(FleetLedger.RECONCILE + nodeId)) {
        listener.changed(true);
      }
    } else if (!payload.startsWith(nodeId + ":")) {
      listener.changed(false);
    }
  }

  private void await(Duration d) {
    try {
      closed.await(d.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed.countDown();
    try {
      thread.join(WAIT_MILLIS * 4L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
