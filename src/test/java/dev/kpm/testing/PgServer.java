package dev.kpm.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL server that one test owns and breaks on purpose: killed ({@code kill -9} of
 * every server process), frozen ({@code SIGSTOP}) and thawed, stopped and started again on the same
 * data folder and port — what an external database does under a running kpm.
 */
public final class PgServer implements AutoCloseable {
  private final Path dataDir;
  private final int port;
  private EmbeddedPostgres postgres;

  private PgServer(Path dataDir, int port) {
    this.dataDir = dataDir;
    this.port = port;
  }

  /** Starts a new cluster in {@code dataDir} on a free port. */
  public static PgServer start(Path dataDir) {
    PgServer server = new PgServer(dataDir, LauncherProcess.freePort());
    server.startAgain();
    return server;
  }

  /** Starts the server (again) on its data folder and port; crash recovery runs if needed. */
  public void startAgain() {
    try {
      postgres =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDir)
              .setCleanDataDirectory(false)
              .setPort(port)
              // Durable, as a production server is: zonky's test defaults would lose the last
              // commits to a kill -9.
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start PostgreSQL in " + dataDir, e);
    }
  }

  /** A new empty database on this server, with JDBC {@code params} (say, {@code a=b&c=d}). */
  public TestDatabase.Coordinates database(String name, String params) {
    try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", "");
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name, e);
    }
    return new TestDatabase.Coordinates(
        url(name) + (params.isEmpty() ? "" : "?" + params), "postgres", "");
  }

  public String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  public int port() {
    return port;
  }

  /** Every process of this server: they all run in its data folder. */
  public List<ProcessHandle> processes() {
    Path folder;
    try {
      folder = dataDir.toRealPath();
    } catch (IOException e) {
      return List.of();
    }
    return ProcessHandle.allProcesses()
        .filter(h -> h.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
        .filter(h -> folder.equals(cwd(h)))
        .toList();
  }

  private static Path cwd(ProcessHandle h) {
    try {
      return Files.readSymbolicLink(Path.of("/proc", Long.toString(h.pid()), "cwd"));
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }

  /** {@code kill -9} of every server process, and waits until they are gone. */
  public void kill() {
    List<ProcessHandle> all = processes();
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle h : all) {
      h.onExit().orTimeout(30, TimeUnit.SECONDS).join();
    }
    quietlyClose();
  }

  /** SIGSTOP to every server process: connections stay open, nothing answers. */
  public void freeze() {
    signal("-STOP");
  }

  public void thaw() {
    signal("-CONT");
  }

  /** Signals every server process; one that ended meanwhile (a backend) is not an error. */
  private void signal(String signal) {
    for (ProcessHandle h : processes()) {
      try {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(h.pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) && h.isAlive()) {
          throw new AssertionError("kill " + signal + " " + h.pid() + " did not finish");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** A clean stop (fast shutdown). */
  public void stop() {
    quietlyClose();
  }

  private void quietlyClose() {
    try {
      postgres.close();
    } catch (IOException | RuntimeException e) {
      // after a kill, pg_ctl finds nothing to stop
    }
  }

  @Override
  public void close() {
    thaw();
    quietlyClose();
  }
}
