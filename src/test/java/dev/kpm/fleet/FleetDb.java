package dev.kpm.fleet;

import dev.kpm.persistence.Database;
import dev.kpm.persistence.Jpa;
import dev.kpm.persistence.Transactions;
import dev.kpm.plugin.PluginService;
import dev.kpm.testing.TestDatabase;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A fresh, migrated database with kpm's own pool and transactions on it (the default timeouts), and
 * direct SQL for arranging and asserting rows: what the fleet's classes run on in kpm.
 */
final class FleetDb implements AutoCloseable {
  final TestDatabase.Coordinates coordinates;
  final Database database;
  final EntityManagerFactory emf;
  final Transactions tx;

  /** A fresh database with kpm's schema. */
  FleetDb() {
    this(migrated(TestDatabase.fresh()));
  }

  /** Another pool on a database kpm's schema is in already (e.g. a running kpm's). */
  FleetDb(TestDatabase.Coordinates existing) {
    coordinates = existing;
    database =
        Database.open(
            Optional.of(coordinates.url()),
            coordinates.user(),
            coordinates.password(),
            4,
            TestDatabase.TIMEOUTS);
    emf = Jpa.open(database, PluginService.entities());
    tx = new Transactions(emf);
  }

  private static TestDatabase.Coordinates migrated(TestDatabase.Coordinates db) {
    TestDatabase.migrate(db);
    return db;
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(
        coordinates.url(), coordinates.user(), coordinates.password());
  }

  void sql(String... statements) {
    TestDatabase.sql(coordinates, statements);
  }

  /** The number a one-value query with string parameters answers. */
  long count(String query, String... parameters) {
    try (Connection c = connect();
        PreparedStatement s = c.prepareStatement(query)) {
      for (int i = 0; i < parameters.length; i++) {
        s.setString(i + 1, parameters[i]);
      }
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("test query failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws Exception {
    emf.close();
    database.close();
  }
}
