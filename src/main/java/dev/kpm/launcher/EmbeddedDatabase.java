package dev.kpm.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * PostgreSQL run by kpm itself (zonky embedded binaries) with its data folder inside the kpm home,
 * so the data survives a restart, and durable: fsync, synchronous commits and full-page writes on
 * (zonky's defaults turn the first two off, fit for tests only). As root, zonky runs it in a user
 * namespace ({@code unshare -U}).
 *
 * <p>Supervised: the thread {@code kpm-db-supervisor} waits for the postmaster to exit; when it
 * dies while kpm runs (a crash, an OOM kill, {@code kill -9}) it starts it again on the same data
 * folder and port — PostgreSQL's crash recovery replays its WAL — retrying with backoff until it is
 * back, so kpm's connection pool reconnects and no restart of kpm is needed. {@link #close} stops
 * supervision first, then the server.
 *
 * <pre>
 *   RUNNING --postmaster exits--> RESTARTING --started--> RUNNING
 *   any --close()--> CLOSED (no restart from then on)
 * </pre>
 */
final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class.getName());
  private static final Duration FIRST_RETRY = Duration.ofMillis(500);
  private static final Duration LAST_RETRY = Duration.ofSeconds(30);

  private final Path dataDir;
  private final int port;
  private final Thread supervisor;
  private volatile EmbeddedPostgres postgres;
  private volatile boolean closed;

  private EmbeddedDatabase(Path dataDir, EmbeddedPostgres postgres) {
    this.dataDir = dataDir;
    this.postgres = postgres;
    this.port = postgres.getPort();
    this.supervisor = new Thread(this::supervise, "kpm-db-supervisor");
    this.supervisor.setDaemon(true);
  }

  /** Starts PostgreSQL on {@code dataDir}, creating the cluster on first use, and supervises it. */
  static EmbeddedDatabase start(Path dataDir, int port) {
    Postmaster.stopOrphan(dataDir);
    EmbeddedDatabase db = new EmbeddedDatabase(dataDir, launch(dataDir, port));
    db.supervisor.start();
    return db;
  }

  private static EmbeddedPostgres launch(Path dataDir, int port) {
    try {
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDir)
              .setCleanDataDirectory(false)
              .setRegisterShutdownHook(false)
              .setServerConfig("listen_addresses", "127.0.0.1")
              // kpm's record of what is installed: durable, whatever zonky's test defaults say
              // (its -F comes first on the command line; these -c settings win).
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("full_page_writes", "on");
      if (port > 0) {
        builder.setPort(port);
      }
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + dataDir, e);
    }
  }

  private void supervise() {
    while (!closed) {
      Optional<ProcessHandle> postmaster = Postmaster.of(dataDir);
      if (postmaster.isEmpty()) {
        restart("its postmaster.pid is gone");
        continue;
      }
      try {
        postmaster.get().onExit().join();
      } catch (CancellationException | CompletionException e) {
        LOG.log(Level.WARNING, "lost track of the embedded PostgreSQL", e);
      }
      if (!closed) {
        restart("PostgreSQL " + postmaster.get().pid() + " exited");
      }
    }
  }

  /** Starts the server again on the same folder and port, retrying with backoff until closed. */
  private void restart(String why) {
    LOG.severe("embedded PostgreSQL stopped unexpectedly (" + why + "); starting it again");
    Duration wait = FIRST_RETRY;
    while (!closed) {
      quietlyClose(postgres);
      Postmaster.killLeftovers(dataDir);
      try {
        synchronized (this) {
          if (closed) {
            return;
          }
          postgres = launch(dataDir, port);
        }
        LOG.warning(
            "embedded PostgreSQL is running again on port " + port + " after crash recovery");
        return;
      } catch (RuntimeException e) {
        LOG.severe(
            "embedded PostgreSQL did not start again: " + e.getMessage() + "; retry in " + wait);
      }
      if (!pause(wait)) {
        return;
      }
      wait = wait.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : wait.multipliedBy(2);
    }
  }

  private static boolean pause(Duration wait) {
    try {
      Thread.sleep(wait.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void quietlyClose(EmbeddedPostgres pg) {
    try {
      pg.close();
    } catch (IOException | RuntimeException e) {
      LOG.fine(() -> "closing the dead server's handle: " + e);
    }
  }

  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  int port() {
    return port;
  }

  /** Stops supervision, then the server. */
  @Override
  public void close() throws IOException {
    synchronized (this) {
      closed = true;
    }
    supervisor.interrupt();
    postgres.close();
  }
}
