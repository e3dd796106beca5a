package dev.kpm;

import dev.kpm.persistence.Database;
import dev.kpm.persistence.Jpa;
import dev.kpm.persistence.Migrations;
import dev.kpm.persistence.Transactions;
import dev.kpm.plugin.HomeLayout;
import dev.kpm.plugin.PluginService;
import jakarta.persistence.EntityManagerFactory;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Collections;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * Starts kpm when the web application deploys and stops it when it undeploys: settings → home
 * folders → database pool → migrations → EntityManagerFactory → executor → services → the JAX-RS
 * servlet. Stops in reverse, each step with a bounded wait, and deregisters the JDBC drivers this
 * web application loaded so the container logs no leak. Declared in web.xml (a listener declared
 * there may register servlets).
 */
public final class Bootstrap implements ServletContextListener {
  private static final Logger LOG = Logger.getLogger(Bootstrap.class.getName());
  private final Teardown teardown = new Teardown();

  @Override
  public void contextInitialized(ServletContextEvent event) {
    long started = System.nanoTime();
    try {
      Settings settings = Settings.load(SettingSources.standard());
      ServletContext context = event.getServletContext();
      KpmApplication application = start(settings);
      ServletRegistration.Dynamic servlet =
          context.addServlet("kpm", new ServletContainer(application));
      servlet.addMapping("/*");
      servlet.setLoadOnStartup(1);
      LOG.info(
          () ->
              "kpm started in "
                  + (System.nanoTime() - started) / 1_000_000
                  + " ms, home "
                  + settings.home());
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "kpm failed to start: " + e.getMessage(), e);
      teardown.stopAll();
      throw e;
    }
  }

  private KpmApplication start(Settings settings) {
    HomeLayout layout = HomeLayout.create(settings.home());
    Database db =
        teardown.push(
            "database pool",
            Database.open(
                settings.dbUrl(), settings.dbUser(), settings.dbPassword(), settings.dbPoolSize()));
    LOG.info(() -> "database: " + db.description());
    Migrations.migrate(db.dataSource());
    EntityManagerFactory emf =
        teardown.push("JPA", Jpa.open(db.dataSource(), PluginService.entities()));
    teardown.push(
        "worker pool", WorkerPool.start(settings.workerThreads(), settings.shutdownGrace()));
    PluginService plugins = new PluginService(new Transactions(emf), layout);
    return new KpmApplication(plugins);
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    teardown.stopAll();
    deregisterOwnDrivers();
    LOG.info("kpm stopped");
  }

  private void deregisterOwnDrivers() {
    ClassLoader own = Bootstrap.class.getClassLoader();
    for (Driver driver : Collections.list(DriverManager.getDrivers())) {
      if (driver.getClass().getClassLoader() == own) {
        try {
          DriverManager.deregisterDriver(driver);
        } catch (SQLException e) {
          LOG.log(Level.WARNING, "cannot deregister JDBC driver " + driver, e);
        }
      }
    }
  }
}
