package dev.kpm.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kpm.Settings;
import dev.kpm.testing.Await;
import dev.kpm.testing.EmbeddedTomcat;
import dev.kpm.testing.PgServer;
import dev.kpm.testing.TestKpm;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code GET /ready} under a real PostgreSQL that stops answering: 503 with the reason and {@code
 * Retry-After} while it is killed, stopped or frozen — within the bounded time — and 200 again once
 * it is back, without a restart of kpm; {@code GET /ping}, the liveness probe, stays 200
 * throughout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadinessIT {
  private static final Duration BOUND = DatabaseOutageIT.BOUND;
  private static final AtomicInteger NEXT = new AtomicInteger();
  private Path dir;
  private PgServer pg;
  private TestKpm kpm;
  private EmbeddedTomcat http;

  @BeforeAll
  void startDatabase() throws Exception {
    dir = Files.createTempDirectory(Path.of("target"), "readiness-").toAbsolutePath();
    pg = PgServer.start(dir.resolve("pgdata"));
  }

  @AfterAll
  void stopDatabase() {
    pg.close();
  }

  @BeforeEach
  void startKpm() throws Exception {
    int n = NEXT.incrementAndGet();
    kpm =
        TestKpm.start(
            Files.createDirectories(dir.resolve("home" + n)),
            pg.database("ready" + n, ""),
            Map.of(
                Settings.Key.DB_ACQUIRE_TIMEOUT, "PT2S",
                Settings.Key.DB_STATEMENT_TIMEOUT, "PT2S"));
    http = EmbeddedTomcat.start(kpm.runtime()::mount);
  }

  @AfterEach
  void stopKpm() {
    pg.thaw();
    if (pg.processes().isEmpty()) {
      pg.startAgain();
    }
    if (http != null) {
      http.close();
      http = null;
    }
    if (kpm != null) {
      kpm.close();
      kpm = null;
    }
  }

  private HttpResponse<String> ready() {
    return http.send("GET", "ready", null);
  }

  private void assertNotReadyWithinTheBound() {
    HttpResponse<String> answer =
        Await.value(
            "GET /ready turns 503",
            BOUND,
            () -> {
              HttpResponse<String> r = ready();
              return r.statusCode() == 503 ? r : null;
            });
    assertEquals(DatabaseOutageIT.UNAVAILABLE, answer.body());
    assertEquals("5", answer.headers().firstValue("Retry-After").orElse(""));
    assertEquals(
        "application/json", answer.headers().firstValue("Content-Type").orElse("").split(";")[0]);
    HttpResponse<String> ping = http.send("GET", "ping", null);
    assertEquals(200, ping.statusCode(), "liveness does not depend on the database");
    assertEquals("", ping.body());
  }

  private void assertReadyAgain() {
    Await.until("GET /ready is 200 again", BOUND, () -> ready().statusCode() == 200);
    assertEquals("", ready().body());
  }

  @Test
  void aKilledDatabaseMakesKpmNotReadyAndItsRestartReadyAgain() {
    assertEquals(200, ready().statusCode(), ready().body());
    pg.kill();
    assertNotReadyWithinTheBound();
    pg.startAgain();
    assertReadyAgain();
    pg.stop();
    assertNotReadyWithinTheBound();
    pg.startAgain();
    assertReadyAgain();
  }

  @Test
  void aFrozenDatabaseMakesKpmNotReadyWithinTheBoundAndThawedReadyAgain() {
    assertEquals(200, ready().statusCode(), ready().body());
    pg.freeze();
    assertNotReadyWithinTheBound();
    pg.thaw();
    assertReadyAgain();
  }
}
