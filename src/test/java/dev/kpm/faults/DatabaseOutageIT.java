package dev.kpm.faults;

import static dev.kpm.testing.HomeAssertions.assertNoTrace;
import static dev.kpm.testing.HomeAssertions.files;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.Settings;
import dev.kpm.testing.Await;
import dev.kpm.testing.DbLink;
import dev.kpm.testing.EmbeddedTomcat;
import dev.kpm.testing.Pause;
import dev.kpm.testing.PgServer;
import dev.kpm.testing.TestDatabase;
import dev.kpm.testing.TestKpm;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * kpm on an external PostgreSQL that fails under it — frozen, killed, restarted, a connection cut
 * during a commit — through the real HTTP API on Tomcat: every change answers within the bounded
 * time (503 with Retry-After in eKuiper's error shape), reads served from memory go on, nothing is
 * left half-done, and disk and database agree again once the database is back, without a restart of
 * kpm.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseOutageIT {
  static final String UNAVAILABLE =
      "{\"error\":1000,\"message\":\"database unavailable: kpm cannot reach its PostgreSQL"
          + " database; try again later\"}\n";

  /** kpm's database steps are bounded at 2 s here; the answer comes well within this. */
  static final Duration BOUND = Duration.ofSeconds(12);

  private static final AtomicInteger NEXT = new AtomicInteger();
  private Path dir;
  private PgServer pg;
  private DbLink link;
  private TestKpm kpm;
  private EmbeddedTomcat http;

  @BeforeAll
  void startDatabase() throws Exception {
    dir = Files.createTempDirectory(Path.of("target"), "db-outage-").toAbsolutePath();
    pg = PgServer.start(dir.resolve("pgdata"));
    link = DbLink.to(pg.port());
  }

  @AfterAll
  void stopDatabase() {
    link.close();
    pg.close();
  }

  @BeforeEach
  void startKpm() throws Exception {
    int n = NEXT.incrementAndGet();
    TestDatabase.Coordinates direct = pg.database("kpm" + n, "");
    TestDatabase.Coordinates linked =
        new TestDatabase.Coordinates(
            "jdbc:postgresql://127.0.0.1:" + link.port() + "/kpm" + n + "?prepareThreshold=0",
            direct.user(),
            direct.password());
    kpm =
        TestKpm.start(
            Files.createDirectories(dir.resolve("home" + n)),
            linked,
            Map.of(
                Settings.Key.DB_ACQUIRE_TIMEOUT, "PT2S",
                Settings.Key.DB_STATEMENT_TIMEOUT, "PT2S",
                Settings.Key.TEST_PAUSE_AT,
                    "moved:inflight,moved:frozen,dropping:leaving,moved:lost,moved:unsent,moved:upgrade"));
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

  private String body(String name, String so) {
    Path zip =
        TestPlugins.zip(
            dir.resolve(name + "-" + so + ".zip"),
            List.of(Entry.file(so, "so"), Entry.file(name + ".yaml", "a: 1\n")));
    return "{\"name\":\"" + name + "\",\"file\":\"file://" + zip + "\"}";
  }

  private HttpResponse<String> create(String name, String so) {
    return http.send("POST", "plugins/sources", body(name, so));
  }

  private static void assertUnavailable(HttpResponse<String> answer) {
    assertEquals(503, answer.statusCode(), answer.body());
    assertEquals(UNAVAILABLE, answer.body());
    assertEquals("5", answer.headers().firstValue("Retry-After").orElse(""));
  }

  private HttpResponse<String> timed(
      String what, java.util.function.Supplier<HttpResponse<String>> call) {
    long start = System.nanoTime();
    HttpResponse<String> answer = call.get();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertTrue(took.compareTo(BOUND) < 0, what + " took " + took);
    return answer;
  }

  @Test
  void aFrozenDatabaseGetsA503WithinTheBoundWhileReadsFromMemoryGoOn() {
    assertEquals(201, create("before", "Before.so").statusCode());
    assertEquals(200, http.send("GET", "plugins/sources", null).statusCode(), "snapshot loaded");
    pg.freeze();

    assertUnavailable(timed("a create", () -> create("during", "During.so")));
    assertEquals("[\"before\"]", http.send("GET", "plugins/sources", null).body());
    assertEquals(
        "{\"name\":\"before\",\"version\":\"\"}",
        http.send("GET", "plugins/sources/before", null).body());

    pg.thaw();
    assertEquals(201, create("during", "During.so").statusCode());
    assertNoStaging();
  }

  @Test
  void aKilledDatabaseGetsA503AndItsRestartOnTheSamePortIsUsedWithoutRestartingKpm() {
    assertEquals(201, create("first", "First.so").statusCode());
    pg.kill();

    assertUnavailable(timed("a create", () -> create("second", "Second.so")));
    assertUnavailable(timed("a drop", () -> http.send("DELETE", "plugins/sources/first", null)));

    pg.startAgain();
    awaitDatabaseReachedAgain();
    assertEquals(201, create("second", "Second.so").statusCode());
    assertEquals("[\"first\",\"second\"]", http.send("GET", "plugins/sources", null).body());

    pg.stop();
    assertUnavailable(timed("a create", () -> create("third", "Third.so")));
    pg.startAgain();
    awaitDatabaseReachedAgain();
    assertEquals(201, create("third", "Third.so").statusCode());

    // The refused changes are in the audit trail once the database is back, without delaying
    // their 503 (timed above): kept in memory, then written in order.
    Await.until(
        "the three 503s are audited",
        () -> kpm.count("SELECT count(*) FROM audit_event WHERE status = 503") == 3);
    assertEquals(
        "plugin.create second,plugin.delete first,plugin.create third",
        kpm.sqlString(
            "SELECT string_agg(action || ' ' || plugin_name, ',' ORDER BY seq) FROM audit_event"
                + " WHERE status = 503 AND outcome = 'failed'"));
    assertTrue(kpm.runtime().audit().verify().ok());
  }

  @Test
  void aDatabaseKilledBetweenTheMovesAndTheCommitLeavesNothingOnceItIsBack() {
    CompletableFuture<HttpResponse<String>> answer =
        CompletableFuture.supplyAsync(() -> create("inflight", "Inflight.so"));
    Pause.awaitReached(kpm.home(), "moved", "inflight");
    assertTrue(Files.exists(kpm.home().resolve("plugins/sources/Inflight.so")));
    pg.kill();
    Pause.release(kpm.home(), "moved", "inflight");

    assertUnavailable(answer.join());
    assertEquals(List.of(), files(kpm.home().resolve("plugins/sources")), "moves undone");

    pg.startAgain();
    Await.until("the install record settled", () -> count("RUNNING") == 0 && noStaging());
    assertNoTrace(kpm, "sources", "inflight");
    assertEquals(1, count("FAILED"));
    Pause.release(kpm.home(), "moved", "inflight"); // the new create goes through
    assertEquals(201, create("inflight", "Inflight.so").statusCode());
  }

  @Test
  void aDatabaseFrozenDuringAnInstallGetsA503WithinTheBoundAndLeavesNothingOnceThawed() {
    CompletableFuture<HttpResponse<String>> answer =
        CompletableFuture.supplyAsync(() -> create("frozen", "Frozen.so"));
    Pause.awaitReached(kpm.home(), "moved", "frozen");
    pg.freeze();
    long released = System.nanoTime();
    Pause.release(kpm.home(), "moved", "frozen");

    assertUnavailable(answer.join());
    Duration took = Duration.ofNanos(System.nanoTime() - released);
    assertTrue(took.compareTo(BOUND) < 0, "answered after " + took);
    assertEquals(List.of(), files(kpm.home().resolve("plugins/sources")), "moves undone");

    pg.thaw();
    Await.until("the install record settled", () -> count("RUNNING") == 0 && noStaging());
    assertNoTrace(kpm, "sources", "frozen");
  }

  @Test
  void aDropWhoseRowCouldNotGoIsFinishedOnceTheDatabaseIsBack() {
    assertEquals(201, create("leaving", "Leaving.so").statusCode());
    CompletableFuture<HttpResponse<String>> answer =
        CompletableFuture.supplyAsync(() -> http.send("DELETE", "plugins/sources/leaving", null));
    Pause.awaitReached(kpm.home(), "dropping", "leaving");
    pg.kill();
    Pause.release(kpm.home(), "dropping", "leaving");

    assertUnavailable(answer.join());
    assertEquals(List.of(), files(kpm.home().resolve("plugins/sources")));

    Pause.release(kpm.home(), "dropping", "leaving"); // the settling drop passes the point too
    pg.startAgain();
    Await.until("the drop finished", () -> rows("leaving") == 0);
    assertNoTrace(kpm, "sources", "leaving");
    assertEquals(201, create("leaving", "Leaving.so").statusCode());
  }

  @Test
  void aCommitWhoseAnswerWasLostKeepsTheFilesAndIsSettledAsCommitted() {
    CompletableFuture<HttpResponse<String>> answer =
        CompletableFuture.supplyAsync(() -> create("lost", "Lost.so"));
    Pause.awaitReached(kpm.home(), "moved", "lost");
    link.arm(DbLink.Cut.AFTER_COMMIT);
    Pause.release(kpm.home(), "moved", "lost");

    assertUnavailable(answer.join());
    assertTrue(link.fired());
    assertTrue(
        Files.exists(kpm.home().resolve("plugins/sources/Lost.so")), "files kept while in doubt");

    Await.until("the commit settled", this::noStaging);
    assertEquals(1, rows("lost"));
    assertEquals(1, count("SUCCEEDED"));
    assertEquals(List.of("Lost.so"), files(kpm.home().resolve("plugins/sources")));
    assertEquals(
        "{\"name\":\"lost\",\"version\":\"\"}",
        http.send("GET", "plugins/sources/lost", null).body());
  }

  @Test
  void aCommitThatNeverReachedTheDatabaseIsSettledByUndoingItsFiles() {
    CompletableFuture<HttpResponse<String>> answer =
        CompletableFuture.supplyAsync(() -> create("unsent", "Unsent.so"));
    Pause.awaitReached(kpm.home(), "moved", "unsent");
    link.arm(DbLink.Cut.BEFORE_COMMIT);
    Pause.release(kpm.home(), "moved", "unsent");

    assertUnavailable(answer.join());
    assertTrue(link.fired());

    Await.until("the commit settled", this::noStaging);
    assertNoTrace(kpm, "sources", "unsent");
    assertEquals(1, count("FAILED"));
  }

  @Test
  void anUpdateWhoseCommitNeverArrivedBringsTheOldVersionBack() {
    Pause.release(kpm.home(), "moved", "upgrade"); // the create goes through
    assertEquals(201, create("upgrade", "Upgrade@v1.so").statusCode());
    CompletableFuture<HttpResponse<String>> answer =
        CompletableFuture.supplyAsync(
            () -> http.send("PUT", "plugins/sources/upgrade", body("upgrade", "Upgrade@v2.so")));
    Pause.awaitReached(kpm.home(), "moved", "upgrade");
    link.arm(DbLink.Cut.BEFORE_COMMIT);
    Pause.release(kpm.home(), "moved", "upgrade");

    assertUnavailable(answer.join());
    Await.until("the update settled", this::noStaging);
    assertEquals(
        List.of("Upgrade@v1.so"), files(kpm.home().resolve("plugins/sources")), "v1 restored");
    assertEquals(
        "{\"name\":\"upgrade\",\"version\":\"1\"}",
        http.send("GET", "plugins/sources/upgrade", null).body());
  }

  /**
   * What a load balancer waits for: {@code /ready} checks the database through kpm's pool, which
   * opens connections again on its own (with a backoff of up to a few seconds, so the very first
   * request after the restart may still get the bounded 503).
   */
  private void awaitDatabaseReachedAgain() {
    Await.until(
        "kpm reaches the restarted database without a restart of its own",
        BOUND,
        () -> http.send("GET", "ready", null).statusCode() == 200);
  }

  private long count(String state) {
    return kpm.count("SELECT count(*) FROM install_record WHERE state = '" + state + "'");
  }

  private long rows(String name) {
    return kpm.count("SELECT count(*) FROM plugin WHERE name = '" + name + "'");
  }

  /** False while staging still holds something, or while it is being cleared under the walk. */
  private boolean noStaging() {
    try {
      return files(kpm.home().resolve(".kpm/staging")).isEmpty()
          && dirs(kpm.home().resolve(".kpm/staging")) == 0;
    } catch (java.io.UncheckedIOException e) {
      if (e.getCause() instanceof java.nio.file.NoSuchFileException) {
        return false; // a folder went away mid-walk: the settling is still running, look again
      }
      throw e;
    }
  }

  private void assertNoStaging() {
    assertTrue(noStaging(), "staging left behind");
  }

  private static long dirs(Path staging) {
    try (var list = Files.list(staging)) {
      return list.count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
