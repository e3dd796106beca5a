package dev.kpm.testing;

import dev.kpm.KpmRuntime;
import dev.kpm.Settings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real {@link KpmRuntime} on a fresh database, with direct SQL access to that database for
 * arranging rows that no endpoint can create yet and for asserting what was stored.
 */
public record TestKpm(
    KpmRuntime runtime, TestDatabase.Coordinates db, Path home, AtomicInteger stopRequests)
    implements AutoCloseable {

  /** Settings with the given home and database; everything else at its documented default. */
  public static Settings settings(Path home, TestDatabase.Coordinates db) {
    return settings(home, db, Map.of());
  }

  /** As {@link #settings(Path, TestDatabase.Coordinates)}, with more settings on top. */
  public static Settings settings(
      Path home, TestDatabase.Coordinates db, Map<Settings.Key, String> extra) {
    Map<Settings.Key, String> values = new EnumMap<>(Settings.Key.class);
    values.put(Settings.Key.HOME, home.toString());
    values.put(Settings.Key.DB_URL, db.url());
    values.put(Settings.Key.DB_USER, db.user());
    values.put(Settings.Key.DB_PASSWORD, db.password());
    values.put(Settings.Key.DB_POOL_SIZE, "4");
    values.putAll(extra);
    return Settings.load(key -> Optional.ofNullable(values.get(key)));
  }

  /** Starts kpm on a fresh database with its home in {@code home}. */
  public static TestKpm start(Path home) {
    return start(home, TestDatabase.fresh(), Map.of());
  }

  /** Starts kpm on the given database, e.g. again on the database of a stopped one. */
  public static TestKpm start(
      Path home, TestDatabase.Coordinates db, Map<Settings.Key, String> extra) {
    AtomicInteger stops = new AtomicInteger();
    return new TestKpm(
        KpmRuntime.start(settings(home, db, extra), stops::incrementAndGet), db, home, stops);
  }

  /** The number returned by a single-value query. */
  public long count(String query) {
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
        Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("test query failed: " + e.getMessage(), e);
    }
  }

  /** The text returned by a single-value query. */
  public String sqlString(String query) {
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
        Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(query)) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException("test query failed: " + e.getMessage(), e);
    }
  }

  /**
   * An API token stored as kpm stores one (no endpoint makes the first), valid for a day; returns
   * its secret.
   */
  public String token(String name, String role) {
    String secret = dev.kpm.security.TokenSecret.generate();
    sql(
        "INSERT INTO api_token (name, role, secret_sha256, hint, created_by, expires_at) VALUES ('"
            + name
            + "', '"
            + role
            + "', '"
            + dev.kpm.security.TokenSecret.hash(secret)
            + "', '"
            + dev.kpm.security.TokenSecret.hint(secret)
            + "', 'test', now() + interval '1 day')");
    return secret;
  }

  /** Runs SQL statements against kpm's database, in one transaction. */
  public void sql(String... statements) {
    TestDatabase.sql(db, statements);
  }

  @Override
  public void close() {
    runtime.close();
  }
}
