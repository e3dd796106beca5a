package dev.kpm.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL for tests: the one {@code DB_URL} points at (with {@code DB_USER}/{@code
 * DB_PASSWORD}), else an embedded one (zonky) started once per test JVM. Each caller gets a fresh,
 * empty database of its own, so test classes never see each other's rows.
 */
public final class TestDatabase {
  /** kpm's default database timeouts. */
  public static final dev.kpm.persistence.Database.Timeouts TIMEOUTS =
      new dev.kpm.persistence.Database.Timeouts(
          java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(5));

  private static final AtomicInteger NEXT = new AtomicInteger();
  private static Server server;

  /** JDBC coordinates of one database. */
  public record Coordinates(String url, String user, String password) {}

  private record Server(String baseUrl, String user, String password) {}

  private TestDatabase() {}

  /** Creates a new empty database and returns how to reach it. */
  public static synchronized Coordinates fresh() {
    Server s = server();
    String name = "kpm_test_" + ProcessHandle.current().pid() + "_" + NEXT.incrementAndGet();
    try (Connection c =
            DriverManager.getConnection(s.baseUrl() + "postgres", s.user(), s.password());
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + name, e);
    }
    return new Coordinates(s.baseUrl() + name, s.user(), s.password());
  }

  /** Creates kpm's tables in a database, as kpm's start would: for rows arranged before it. */
  public static void migrate(Coordinates db) {
    org.postgresql.ds.PGSimpleDataSource source = new org.postgresql.ds.PGSimpleDataSource();
    source.setURL(db.url());
    source.setUser(db.user());
    source.setPassword(db.password());
    dev.kpm.persistence.Migrations.migrate(source);
  }

  /** Runs SQL statements against a database, in one transaction. */
  public static void sql(Coordinates db, String... statements) {
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
        Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      for (String statement : statements) {
        st.execute(statement);
      }
      c.commit();
    } catch (SQLException e) {
      throw new IllegalStateException("test SQL failed: " + e.getMessage(), e);
    }
  }

  private static Server server() {
    if (server == null) {
      String url = System.getenv("DB_URL");
      server = url != null && !url.isBlank() ? external(url) : embedded();
    }
    return server;
  }

  private static Server external(String url) {
    String base = url.substring(0, url.lastIndexOf('/') + 1);
    return new Server(
        base,
        System.getenv().getOrDefault("DB_USER", "postgres"),
        System.getenv().getOrDefault("DB_PASSWORD", ""));
  }

  private static Server embedded() {
    try {
      EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> close(pg), "test-postgres-stop"));
      return new Server("jdbc:postgresql://localhost:" + pg.getPort() + "/", "postgres", "");
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start the embedded PostgreSQL (as root it needs `unshare -U`, util-linux)", e);
    }
  }

  private static void close(EmbeddedPostgres pg) {
    try {
      pg.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
