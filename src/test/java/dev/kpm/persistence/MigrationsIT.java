package dev.kpm.persistence;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.plugin.PluginService;
import dev.kpm.testing.TestDatabase;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * kpm's schema (every migration in {@code db/}) on a real PostgreSQL: applied once, validated by
 * Hibernate, constraints in SQL.
 */
class MigrationsIT {
  /** The migrations the build ships: every {@code V<n>__*.sql} in {@code db/}. */
  static final long MIGRATIONS = migrationFiles();

  private Database db;

  private static long migrationFiles() {
    try (java.util.stream.Stream<java.nio.file.Path> files =
        java.nio.file.Files.list(java.nio.file.Path.of("db"))) {
      return files.filter(f -> f.getFileName().toString().matches("V\\d+__.+\\.sql")).count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @BeforeEach
  void migrateFreshDatabase() {
    TestDatabase.Coordinates c = TestDatabase.fresh();
    db = Database.open(Optional.of(c.url()), c.user(), c.password(), 2, TestDatabase.TIMEOUTS);
    assertTrue(MIGRATIONS >= 2, "db/ holds the migrations: " + MIGRATIONS);
    assertEquals(MIGRATIONS, Migrations.migrate(db.dataSource()));
  }

  @AfterEach
  void close() throws InterruptedException {
    db.close();
  }

  private void sql(String... statements) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      for (String statement : statements) {
        st.execute(statement);
      }
      c.commit();
    }
  }

  private long count(String query) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private String violation(String statement) {
    SQLException e = assertThrows(SQLException.class, () -> sql(statement));
    return e.getMessage();
  }

  @Test
  void aSecondMigrateAppliesNothing() throws SQLException {
    assertEquals(0, Migrations.migrate(db.dataSource()));
    assertEquals(MIGRATIONS, count("SELECT count(*) FROM flyway_schema_history WHERE success"));
  }

  @Test
  void hibernateValidatesTheMigratedSchema() {
    java.util.List<Class<?>> entities = new java.util.ArrayList<>(PluginService.entities());
    entities.addAll(dev.kpm.security.ApiTokens.entities());
    EntityManagerFactory emf = assertDoesNotThrow(() -> Jpa.open(db, entities));
    emf.close();
  }

  @Test
  void hibernateRefusesASchemaThatDriftedFromTheEntities() throws SQLException {
    sql("ALTER TABLE plugin DROP COLUMN artifact");
    RuntimeException e =
        assertThrows(RuntimeException.class, () -> Jpa.open(db, PluginService.entities()));
    StringBuilder causes = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      causes.append(t.getMessage()).append('\n');
    }
    assertTrue(causes.toString().contains("missing column [artifact]"), causes.toString());
  }

  @Test
  void typeAndNameAreUniqueButTypesMayShareANames() throws SQLException {
    sql(
        "INSERT INTO plugin (type, name, state) VALUES ('sources', 'dup', 'INSTALLED')",
        "INSERT INTO plugin (type, name, state) VALUES ('sinks', 'dup', 'INSTALLED')");
    assertTrue(
        violation("INSERT INTO plugin (type, name, state) VALUES ('sources', 'dup', 'INSTALLING')")
            .contains("plugin_type_name_uq"));
  }

  @Test
  void aFunctionNameBelongsToOnePluginOnly() throws SQLException {
    sql(
        "INSERT INTO plugin (type, name, state) VALUES ('functions', 'f1', 'INSTALLED'),"
            + " ('functions', 'f2', 'INSTALLED')",
        "INSERT INTO function_symbol (name, plugin_id, position)"
            + " SELECT 'echo', id, 0 FROM plugin WHERE name = 'f1'");
    assertTrue(
        violation(
                "INSERT INTO function_symbol (name, plugin_id, position)"
                    + " SELECT 'echo', id, 0 FROM plugin WHERE name = 'f2'")
            .contains("function_symbol_pkey"));
  }

  @Test
  void droppingAPluginRowDropsItsSymbolsAndMetadata() throws SQLException {
    sql(
        "INSERT INTO plugin (type, name, state) VALUES ('functions', 'f1', 'INSTALLED'),"
            + " ('portables', 'p1', 'INSTALLED')",
        "INSERT INTO function_symbol (name, plugin_id, position)"
            + " SELECT 'echo', id, 0 FROM plugin WHERE name = 'f1'",
        "INSERT INTO portable_meta (plugin_id, language, executable)"
            + " SELECT id, 'go', 'p1' FROM plugin WHERE name = 'p1'",
        "DELETE FROM plugin");
    assertEquals(0, count("SELECT count(*) FROM function_symbol"));
    assertEquals(0, count("SELECT count(*) FROM portable_meta"));
  }

  @Test
  void valuesOutsideTheDomainAreRefusedByTheDatabase() {
    assertTrue(
        violation("INSERT INTO plugin (type, name, state) VALUES ('wasm', 'x', 'INSTALLED')")
            .contains("plugin_type_check"));
    assertTrue(
        violation("INSERT INTO plugin (type, name, state) VALUES ('sinks', 'x', 'HALF')")
            .contains("plugin_state_check"));
    assertTrue(
        violation("INSERT INTO plugin (type, name, state) VALUES ('sinks', '', 'INSTALLED')")
            .contains("plugin_name_check"));
    assertTrue(
        violation(
                "INSERT INTO plugin (type, name, state, sha256) VALUES ('sinks', 'x', 'INSTALLED',"
                    + " 'ABC')")
            .contains("plugin_sha256_check"));
  }

  @Test
  void apiTokensStoreOnlyWellFormedHashesAndOneLiveTokenPerName() throws SQLException {
    String hash = "a".repeat(64);
    String insert =
        "INSERT INTO api_token (name, role, secret_sha256, hint, created_by, expires_at)"
            + " VALUES ('%s', '%s', '%s', 'abcd', 'token:x', now() + interval '1 day')";
    assertTrue(
        violation(String.format(insert, "../x", "admin", hash)).contains("api_token_name_check"));
    assertTrue(
        violation(String.format(insert, "ok", "root", hash)).contains("api_token_role_check"));
    assertTrue(
        violation(String.format(insert, "ok", "admin", "kpm_secret"))
            .contains("api_token_secret_sha256_check"));
    sql(String.format(insert, "ci", "admin", hash));
    assertTrue(
        violation(String.format(insert, "ci", "viewer", "b".repeat(64)))
            .contains("api_token_live_name_uq"));
    sql(
        "UPDATE api_token SET revoked_at = now(), revoked_by = 'token:x' WHERE name = 'ci'",
        String.format(insert, "ci", "viewer", "b".repeat(64)));
    assertEquals(2, count("SELECT count(*) FROM api_token WHERE name = 'ci'"));
  }

  @Test
  void onlyOneInstallPerPluginMayBeRunning() throws SQLException {
    String running =
        "INSERT INTO install_record (plugin_type, plugin_name, operation, state)"
            + " VALUES ('sources', 'r', 'CREATE', 'RUNNING')";
    sql(
        running,
        "INSERT INTO install_record (plugin_type, plugin_name, operation, state)"
            + " VALUES ('sources', 'r', 'CREATE', 'FAILED')");
    assertTrue(violation(running).contains("install_record_running_uq"));
  }
}
