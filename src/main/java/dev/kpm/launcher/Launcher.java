package dev.kpm.launcher;

import dev.kpm.SettingSources;
import dev.kpm.Settings;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * Runs kpm in a JVM it owns: starts the embedded PostgreSQL (unless {@code DB_URL} is set), then an
 * embedded Tomcat serving {@code kpm.war} as the root application on the configured port. A
 * shutdown hook (Ctrl-C, SIGTERM, {@code System.exit}) stops Tomcat — which undeploys kpm — and
 * then PostgreSQL.
 *
 * <p>With {@code kpm.tls.keystore} set the port serves HTTPS ({@link Https}).
 *
 * <p>Usage: {@code java -jar kpm-launcher.jar [path/to/kpm.war]}; with {@code --db-only} it starts
 * only the embedded PostgreSQL and prints its JDBC URL (for deployments on other servers).
 */
public final class Launcher {
  private static final Logger LOG = Logger.getLogger(Launcher.class.getName());

  private Launcher() {}

  public static void main(String[] args) throws Exception {
    boolean dbOnly = args.length > 0 && args[0].equals("--db-only");
    Settings settings;
    Https.Key tlsKey;
    try {
      settings = Settings.load(SettingSources.standard());
      // Before anything starts: a TLS setting that cannot work refuses the start.
      tlsKey = dbOnly ? null : checkTls(settings);
    } catch (IllegalArgumentException e) {
      LOG.severe("kpm did not start: " + e.getMessage());
      System.exit(1);
      return;
    }
    Files.createDirectories(settings.home());
    Path war = dbOnly ? null : args.length > 0 ? Path.of(args[0]) : defaultWar();
    if (war != null && !Files.isRegularFile(war)) {
      throw new IllegalArgumentException("no WAR at " + war + ": build it with mvn package");
    }
    AtomicReference<Tomcat> tomcat = new AtomicReference<>();
    EmbeddedDatabase db = settings.db().url().isPresent() ? null : startDatabase(settings);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(tomcat.get(), db), "kpm-shutdown"));
    if (dbOnly) {
      requireEmbedded(db);
      System.out.println(db.jdbcUrl());
      Thread.currentThread().join();
      return;
    }
    try {
      startTomcat(settings, tlsKey, war, tomcat);
    } catch (RuntimeException | LifecycleException e) {
      LOG.severe("kpm did not start: " + e.getMessage());
      System.exit(1);
    }
    if (tlsKey == null) {
      LOG.info("kpm is listening on http://localhost:" + settings.httpPort());
    } else {
      LOG.info(
          "kpm is listening on https://localhost:"
              + settings.httpPort()
              + " (TLS key '"
              + tlsKey.alias()
              + "' of "
              + tlsKey.keystore()
              + ": "
              + tlsKey.certificate().getSubjectX500Principal().getName()
              + ", valid until "
              + tlsKey.certificate().getNotAfter().toInstant()
              + ")");
      int redirect = settings.tls().redirectPort();
      if (redirect != 0) {
        LOG.info(
            "http://localhost:"
                + redirect
                + " redirects to https://localhost:"
                + settings.httpPort());
      }
    }
    tomcat.get().getServer().await();
  }

  /** The TLS key to serve, checked; null for plain HTTP. */
  private static Https.Key checkTls(Settings settings) {
    Settings.Tls tls = settings.tls();
    if (!tls.enabled()) {
      if (tls.redirectPort() != 0) {
        throw new IllegalArgumentException(
            "setting "
                + Settings.Key.TLS_REDIRECT_PORT.property
                + " redirects to HTTPS, which needs "
                + Settings.Key.TLS_KEYSTORE.property
                + " ("
                + Settings.Key.TLS_KEYSTORE.env
                + ")");
      }
      return null;
    }
    if (tls.redirectPort() == settings.httpPort()) {
      throw new IllegalArgumentException(
          "settings "
              + Settings.Key.TLS_REDIRECT_PORT.property
              + " and "
              + Settings.Key.HTTP_PORT.property
              + " are both "
              + settings.httpPort()
              + ": the redirect needs a port of its own");
    }
    Https.Key key = Https.open(tls);
    try {
      key.certificate().checkValidity();
    } catch (CertificateException e) {
      LOG.warning(
          "the TLS certificate of "
              + key.keystore()
              + " is not valid now ("
              + e.getMessage()
              + "): clients will refuse it");
    }
    return key;
  }

  private static EmbeddedDatabase startDatabase(Settings settings) {
    int port = Integer.getInteger("kpm.db.port", 0);
    EmbeddedDatabase db = EmbeddedDatabase.start(settings.home().resolve("pgdata"), port);
    // The web application reads its settings from system properties first: same JVM.
    System.setProperty(Settings.Key.DB_URL.property, db.jdbcUrl());
    System.setProperty(Settings.Key.DB_USER.property, "postgres");
    System.setProperty(Settings.Key.DB_PASSWORD.property, "");
    LOG.info(
        "embedded PostgreSQL at "
            + db.jdbcUrl()
            + ", data in "
            + settings.home().resolve("pgdata"));
    return db;
  }

  private static void requireEmbedded(EmbeddedDatabase db) {
    if (db == null) {
      throw new IllegalStateException("--db-only starts the embedded PostgreSQL; unset DB_URL");
    }
  }

  /**
   * Starts Tomcat, set into {@code started} at once so that the shutdown hook stops it even when
   * the start fails half-way.
   */
  private static void startTomcat(
      Settings settings, Https.Key tlsKey, Path war, AtomicReference<Tomcat> started)
      throws LifecycleException {
    System.setProperty(Settings.Key.HOME.property, settings.home().toString());
    // kpm owns this JVM: ?stop=1 exits with status 100 through the shutdown hook.
    System.setProperty(Settings.Key.OWNS_JVM.property, "true");
    Tomcat tomcat = new Tomcat();
    started.set(tomcat);
    Path base = settings.home().resolve(".kpm").resolve("tomcat");
    tomcat.setBaseDir(base.toString());
    tomcat.setPort(settings.httpPort());
    tomcat.getHost().setAppBase(base.resolve("webapps").toString());
    base.resolve("webapps").toFile().mkdirs();
    // Jersey serves /*; no default servlet and no JSP servlet are needed (nor on the classpath).
    tomcat.setAddDefaultWebXmlToWebapp(false);
    if (tlsKey == null) {
      tomcat.getConnector();
    } else {
      Connector https =
          Https.connector(settings.httpPort(), tlsKey, settings.tls().keystorePassword());
      tomcat.getService().addConnector(https);
      tomcat.setConnector(https);
      int redirect = settings.tls().redirectPort();
      if (redirect != 0) {
        tomcat.getService().addConnector(Https.redirectConnector(redirect, settings.httpPort()));
        tomcat.getEngine().getPipeline().addValve(new Https.RedirectValve(settings.httpPort()));
      }
    }
    Context context = tomcat.addWebapp("", war.toAbsolutePath().toString());
    // Only Tomcat's loader (see Main): the WAR brings its own slf4j and JDBC driver, and a second
    // copy of them visible from the parent made slf4j report "multiple bindings".
    context.setParentClassLoader(Tomcat.class.getClassLoader());
    tomcat.start();
    if (!context.getState().isAvailable()) {
      throw new IllegalStateException("the web application failed; see the log above");
    }
    // Tomcat logs a connector that could not start (a port in use, a key it cannot use) and goes
    // on without it; kpm without its port is of no use.
    for (Connector connector : tomcat.getService().findConnectors()) {
      if (connector.getState() != LifecycleState.STARTED) {
        throw new IllegalStateException(
            "port " + connector.getPort() + " is not served; see the log above");
      }
    }
  }

  private static Path defaultWar() throws URISyntaxException {
    File jar = new File(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return jar.toPath().getParent().resolveSibling("kpm.war");
  }

  private static void stop(Tomcat tomcat, EmbeddedDatabase db) {
    if (tomcat != null) {
      try {
        tomcat.stop();
        tomcat.destroy();
      } catch (LifecycleException e) {
        LOG.warning("Tomcat did not stop cleanly: " + e.getMessage());
      }
    }
    close(db);
    LOG.info("kpm launcher stopped");
  }

  private static void close(EmbeddedDatabase db) {
    if (db == null) {
      return;
    }
    try {
      db.close();
      LOG.info("embedded PostgreSQL stopped");
    } catch (Exception e) {
      LOG.warning("embedded PostgreSQL did not stop cleanly: " + e.getMessage());
    }
  }
}
