package dev.kpm.testing;

import dev.kpm.KpmRuntime;
import dev.kpm.Settings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;

/**
 * A real {@link KpmRuntime} on a fresh database, with direct SQL access to that database for
 * arranging rows that no endpoint can create yet and for asserting what was stored.
 */
public record TestKpm(KpmRuntime runtime, TestDatabase.Coordinates db, Path home)
    implements AutoCloseable {

  /** Settings with the given home and database; everything else at its documented default. */
  public static Settings settings(Path home, TestDatabase.Coordinates db) {
    Map<Settings.Key, String> values =
        Map.of(
            Settings.Key.HOME, home.toString(),
            Settings.Key.DB_URL, db.url(),
            Settings.Key.DB_USER, db.user(),
            Settings.Key.DB_PASSWORD, db.password(),
            Settings.Key.DB_POOL_SIZE, "4");
    return Settings.load(key -> Optional.ofNullable(values.get(key)));
  }

  /** Starts kpm on a fresh database with its home in {@code home}. */
  public static TestKpm start(Path home) {
    TestDatabase.Coordinates db = TestDatabase.fresh();
    return new TestKpm(KpmRuntime.start(settings(home, db)), db, home);
  }

  /** Runs SQL statements against kpm's database, in one transaction. */
  public void sql(String... statements) {
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

  @Override
  public void close() {
    runtime.close();
  }
}
