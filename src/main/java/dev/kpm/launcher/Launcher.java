package dev.kpm.launcher;

import dev.kpm.SettingSources;
import dev.kpm.Settings;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.startup.Tomcat;

/**
 * Runs kpm in a JVM it owns: starts the embedded PostgreSQL (unless {@code DB_URL} is set), then an
 * embedded Tomcat serving {@code kpm.war} as the root application on the configured port. A
 * shutdown hook (Ctrl-C, SIGTERM, {@code System.exit}) stops Tomcat — which undeploys kpm — and
 * then PostgreSQL.
 *
 * <p>Usage: {@code java -jar kpm-launcher.jar [path/to/kpm.war]}; with {@code --db-only} it starts
 * only the embedded PostgreSQL and prints its JDBC URL (for deployments on other servers).
 */
public final class Launcher {
  private static final Logger LOG = Logger.getLogger(Launcher.class.getName());

  private Launcher() {}

  public static void main(String[] args) throws Exception {
    boolean dbOnly = args.length > 0 && args[0].equals("--db-only");
    Settings settings = Settings.load(SettingSources.standard());
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
      tomcat.set(startTomcat(settings, war));
    } catch (RuntimeException | LifecycleException e) {
      LOG.severe("kpm did not start: " + e.getMessage());
      System.exit(1);
    }
    LOG.info("kpm is listening on http://localhost:" + settings.httpPort());
    tomcat.get().getServer().await();
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

  private static Tomcat startTomcat(Settings settings, Path war) throws LifecycleException {
    System.setProperty(Settings.Key.HOME.property, settings.home().toString());
    // kpm owns this JVM: ?stop=1 exits with status 100 through the shutdown hook.
    System.setProperty(Settings.Key.OWNS_JVM.property, "true");
    Tomcat tomcat = new Tomcat();
    Path base = settings.home().resolve(".kpm").resolve("tomcat");
    tomcat.setBaseDir(base.toString());
    tomcat.setPort(settings.httpPort());
    tomcat.getHost().setAppBase(base.resolve("webapps").toString());
    base.resolve("webapps").toFile().mkdirs();
    // Jersey serves /*; no default servlet and no JSP servlet are needed (nor on the classpath).
    tomcat.setAddDefaultWebXmlToWebapp(false);
    tomcat.getConnector();
    Context context = tomcat.addWebapp("", war.toAbsolutePath().toString());
    // Only Tomcat's loader (see Main): the WAR brings its own slf4j and JDBC driver, and a second
    // copy of them visible from the parent made slf4j report "multiple bindings".
    context.setParentClassLoader(Tomcat.class.getClassLoader());
    tomcat.start();
    if (!context.getState().isAvailable()) {
      throw new IllegalStateException("the web application failed; see the log above");
    }
    return tomcat;
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
