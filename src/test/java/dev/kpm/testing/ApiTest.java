package dev.kpm.testing;

import dev.kpm.Settings;
import jakarta.ws.rs.core.Application;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.glassfish.jersey.test.JerseyTest;
import org.glassfish.jersey.test.TestProperties;
import org.glassfish.jersey.test.jdkhttp.JdkHttpServerTestContainerFactory;
import org.glassfish.jersey.test.spi.TestContainerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of resource tests: kpm's production {@code KpmApplication} over a real {@code KpmRuntime}
 * and PostgreSQL, served over real HTTP on loopback (JDK HTTP server), one server per test class.
 * JerseyTest 4 carries no JUnit 5 annotations, hence the lifecycle methods here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ApiTest extends JerseyTest {
  protected TestKpm kpm;

  /** A folder of this test class for fixture zips and files (not inside the kpm home). */
  protected Path fixtures;

  @Override
  protected Application configure() {
    // A free port: two test runs (or a benchmark) on one machine must not collide on 9998.
    forceSet(TestProperties.CONTAINER_PORT, "0");
    fixtures = newFolder("kpm-fixtures-");
    kpm = TestKpm.start(newFolder("kpm-home-"), TestDatabase.fresh(), settings());
    return kpm.runtime().application();
  }

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
  protected TestContainerFactory getTestContainerFactory() {
    return new JdkHttpServerTestContainerFactory();
  }

  @BeforeAll
  void startServer() throws Exception {
    super.setUp();
  }

  @AfterAll
  void stopServer() throws Exception {
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
