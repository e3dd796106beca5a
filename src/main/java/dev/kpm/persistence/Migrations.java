package dev.kpm.persistence;

import java.util.logging.Logger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** Applies the SQL migrations of the top-level {@code db/} folder (classpath db/migration). */
public final class Migrations {
  private static final Logger LOG = Logger.getLogger(Migrations.class.getName());

  private Migrations() {}

  /** Migrates to the newest version; returns how many migrations this call applied. */
  public static int migrate(DataSource dataSource) {
    Flyway flyway =
        Flyway.configure(Migrations.class.getClassLoader())
            .dataSource(dataSource)
            .locations("classpath:db/migration")
            .validateMigrationNaming(true)
            .load();
    MigrateResult result = flyway.migrate();
    LOG.info(
        () ->
            "database schema at version "
                + flyway.info().current().getVersion()
                + ", "
                + result.migrationsExecuted
                + " migration(s) applied now");
    return result.migrationsExecuted;
  }
}
