package dev.kpm;

import dev.kpm.persistence.Database;
import dev.kpm.persistence.Jpa;
import dev.kpm.persistence.Migrations;
import dev.kpm.persistence.Transactions;
import dev.kpm.plugin.HomeLayout;
import dev.kpm.plugin.PluginService;
import jakarta.persistence.EntityManagerFactory;
import java.util.logging.Logger;

/**
 * Everything kpm runs, started in order — home folders → database pool → migrations →
 * EntityManagerFactory → executor → services — and stopped in reverse by {@link #close()}. The
 * container-independent half of {@link Bootstrap}; tests start it directly.
 */
public final class KpmRuntime implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(KpmRuntime.class.getName());
  private final Teardown teardown;
  private final KpmApplication application;

  private KpmRuntime(Teardown teardown, KpmApplication application) {
    this.teardown = teardown;
    this.application = application;
  }

  /** Starts kpm; on failure stops what was already started and rethrows. */
  public static KpmRuntime start(Settings settings) {
    Teardown teardown = new Teardown();
    try {
      return new KpmRuntime(teardown, startAll(settings, teardown));
    } catch (RuntimeException | Error e) {
      teardown.stopAll();
      throw e;
    }
  }

  private static KpmApplication startAll(Settings settings, Teardown teardown) {
    HomeLayout layout = HomeLayout.create(settings.home());
    Database db =
        teardown.push(
            "database pool",
            Database.open(
                settings.dbUrl(), settings.dbUser(), settings.dbPassword(), settings.dbPoolSize()));
    LOG.info(() -> "database: " + db.description());
    Migrations.migrate(db.dataSource());
    EntityManagerFactory emf = teardown.push("JPA", Jpa.open(db, PluginService.entities()));
    teardown.push(
        "worker pool", WorkerPool.start(settings.workerThreads(), settings.shutdownGrace()));
    PluginService plugins = new PluginService(new Transactions(emf), layout);
    return new KpmApplication(plugins);
  }

  /** The JAX-RS application over this runtime's services. */
  public KpmApplication application() {
    return application;
  }

  @Override
  public void close() {
    teardown.stopAll();
  }
}
