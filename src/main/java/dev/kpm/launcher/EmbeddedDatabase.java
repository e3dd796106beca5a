package dev.kpm.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * PostgreSQL run by kpm itself (zonky embedded binaries) with its data folder inside the kpm home,
 * so the data survives a restart. As root, zonky runs it in a user namespace ({@code unshare -U}).
 */
final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class.getName());
  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** Starts PostgreSQL on {@code dataDir}, creating the cluster on first use. */
  static EmbeddedDatabase start(Path dataDir, int port) {
    try {
      stopOrphan(dataDir);
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDir)
              .setCleanDataDirectory(false)
              .setServerConfig("listen_addresses", "127.0.0.1");
      if (port > 0) {
        builder.setPort(port);
      }
      return new EmbeddedDatabase(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + dataDir, e);
    }
  }

  /**
   * A launcher killed with SIGKILL leaves its PostgreSQL running on the data folder, which would
   * refuse a second server. The folder is kpm's own, so that orphan is stopped first (SIGTERM: its
   * clients died with the old JVM; SIGKILL after 30 s — PostgreSQL recovers from either).
   */
  private static void stopOrphan(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.isRegularFile(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    if (lines.isEmpty() || !lines.get(0).strip().matches("\\d+")) {
      return;
    }
    Optional<ProcessHandle> orphan =
        ProcessHandle.of(Long.parseLong(lines.get(0).strip()))
            .filter(ProcessHandle::isAlive)
            .filter(h -> h.info().command().map(c -> c.endsWith("/postgres")).orElse(false));
    if (orphan.isPresent()) {
      LOG.warning("stopping PostgreSQL " + orphan.get().pid() + " left running on " + dataDir);
      stop(orphan.get());
    }
  }

  private static void stop(ProcessHandle postgres) {
    postgres.destroy();
    try {
      postgres.onExit().get(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      postgres.destroyForcibly();
      postgres.onExit().join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
  }

  int port() {
    return postgres.getPort();
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
