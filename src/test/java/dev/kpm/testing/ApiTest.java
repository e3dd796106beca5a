package dev.kpm.testing;

import dev.kpm.Settings;
import jakarta.ws.rs.core.Application;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.glassfish.jersey.client.ClientConfig;
import org.glassfish.jersey.test.JerseyTest;
import org.glassfish.jersey.test.spi.TestContainerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of resource tests: kpm's production {@code KpmApplication} over a real {@code KpmRuntime}
 * and PostgreSQL, mounted in an embedded Tomcat as deployments mount it, over real HTTP on
 * loopback; one server per test class. JerseyTest 4 carries no JUnit 5 annotations, hence the
 * lifecycle methods here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ApiTest extends JerseyTest {
  protected TestKpm kpm;

  /** Every request of {@link #target} kpm must audit; checked after the class's tests. */
  protected final AuditedRequests audited = new AuditedRequests();

  private TestDatabase.Coordinates database;

  /** A folder of this test class for fixture zips and files (not inside the kpm home). */
  protected Path fixtures;

  @Override
  protected Application configure() {
    fixtures = newFolder("kpm-fixtures-");
    TestDatabase.Coordinates db = TestDatabase.fresh();
    database = db;
    beforeStart(db);
    kpm = TestKpm.start(newFolder("kpm-home-"), db, settings());
    return kpm.runtime().application();
  }

  /** Arranges the fresh database before kpm starts on it; nothing by default. */
  protected void beforeStart(TestDatabase.Coordinates db) {}

  /** Settings this test class needs on top of the defaults. */
  protected Map<Settings.Key, String> settings() {
    return Map.of();
  }

  private static Path newFolder(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected void configureClient(ClientConfig config) {
    config.register(audited);
  }

  @Override
  protected TestContainerFactory getTestContainerFactory() {
    return new TomcatTestContainerFactory(kpm.runtime()::mount);
  }

  @BeforeAll
  void startServer() throws Exception {
    super.setUp();
  }

  @AfterAll
  void stopServer() throws Exception {
    try {
      // Every change the class's tests made through the client left exactly one audit event.
      audited.assertEachLeftOneEvent(database);
    } finally {
      stop();
    }
  }

  private void stop() throws Exception {
    try {
      super.tearDown();
    } finally {
      kpm.close();
      for (Path dir : new Path[] {fixtures, kpm.home()}) {
        try (var walk = Files.walk(dir)) {
          walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }
}
