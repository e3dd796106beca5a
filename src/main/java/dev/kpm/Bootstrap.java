package dev.kpm;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Collections;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts kpm when the web application deploys ({@link KpmRuntime}, then {@link KpmRuntime#mount}:
 * the fast-reads filter and the JAX-RS servlet on {@code /*}) and stops it when it undeploys,
 * deregistering the JDBC drivers this web application loaded so the container logs no leak.
 * Declared in web.xml: only such a listener may register servlets and filters. Called by the
 * container on its deploy thread, once each way.
 */
public final class Bootstrap implements ServletContextListener {
  private static final Logger LOG = Logger.getLogger(Bootstrap.class.getName());
  private KpmRuntime runtime;

  @Override
  public void contextInitialized(ServletContextEvent event) {
    long started = System.nanoTime();
    try {
      Settings settings = Settings.load(SettingSources.standard());
      runtime = KpmRuntime.start(settings, this::stopInContainer);
      runtime.mount(event.getServletContext());
      LOG.info(
          () ->
              "kpm started in "
                  + (System.nanoTime() - started) / 1_000_000
                  + " ms, home "
                  + settings.home());
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "kpm failed to start: " + e.getMessage(), e);
      throw e;
    }
  }

  /** {@code ?stop=1} in a shared container: kpm stops itself and answers 503 until restarted. */
  private void stopInContainer() {
    AfterResponse.run(
        () -> {
          runtime.close();
          LOG.info("kpm stopped by ?stop=1; restart the web application to start it again");
        });
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    if (runtime != null) {
      runtime.close();
    }
    deregisterOwnDrivers();
    LOG.info("kpm stopped");
  }

  private static void deregisterOwnDrivers() {
    ClassLoader own = Bootstrap.class.getClassLoader();
    // Listing drivers can register one: DriverManager checks each registered driver (say, the
    // container's PostgreSQL driver behind a JNDI pool) by loading its class through our loader,
    // which initialises our own copy from WEB-INF/lib, and that registers itself — after the list
    // was taken. A second listing includes it (Tomcat's JdbcLeakPrevention does the same).
    DriverManager.getDrivers();
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
