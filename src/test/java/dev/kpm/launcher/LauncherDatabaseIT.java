package dev.kpm.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.testing.Await;
import dev.kpm.testing.LauncherProcess;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The launcher's embedded PostgreSQL — kpm's default store — is durable (fsync, synchronous
 * commits, full-page writes on) and supervised: killing its postmaster is survived without a
 * restart of kpm, each request meanwhile answered 503 rather than 500.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LauncherDatabaseIT {
  private Path dir;
  private int dbPort;
  private LauncherProcess kpm;

  @BeforeAll
  void start() throws Exception {
    dir = Files.createTempDirectory(Path.of("target"), "launcher-db-it-").toAbsolutePath();
    dbPort = LauncherProcess.freePort();
    kpm = LauncherProcess.start(dir.resolve("home"), dbPort, "kpm.log");
  }

  @AfterAll
  void stop() throws Exception {
    assertEquals(143, kpm.stop());
  }

  private String show(String setting) throws SQLException {
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + dbPort + "/postgres", "postgres", "");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void theEmbeddedDatabaseCommitsDurably() throws Exception {
    assertEquals("on", show("fsync"));
    assertEquals("on", show("synchronous_commit"));
    assertEquals("on", show("full_page_writes"));
  }

  private String create(String name) {
    Path zip =
        TestPlugins.zip(dir.resolve(name + ".zip"), List.of(Entry.file(name + "@v1.so", "so")));
    return "{\"name\":\"" + name + "\",\"file\":\"file://" + zip + "\"}";
  }

  private long postmaster() throws Exception {
    return Long.parseLong(
        Files.readAllLines(dir.resolve("home/pgdata/postmaster.pid")).get(0).strip());
  }

  @Test
  void aKilledPostmasterIsStartedAgainAndKpmCarriesOnWithoutARestart() throws Exception {
    assertEquals(201, kpm.send("POST", "/plugins/sinks", create("before")).statusCode());
    long launcher = kpm.pid();
    long killed = postmaster();
    ProcessHandle.of(killed).orElseThrow().destroyForcibly();

    long started = System.nanoTime();
    HttpResponse<String> answer =
        Await.value(
            "a create succeeds after the postmaster was killed",
            Duration.ofSeconds(60),
            () -> {
              try {
                HttpResponse<String> r = kpm.send("POST", "/plugins/sinks", create("after"));
                if (r.statusCode() != 201) {
                  assertEquals(503, r.statusCode(), "meanwhile: " + r.body());
                  return null;
                }
                return r;
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertEquals("sinks plugin after is created", answer.body());
    assertTrue(took.compareTo(Duration.ofSeconds(30)) < 0, "back after " + took);
    assertTrue(kpm.isAlive());
    assertEquals(launcher, kpm.pid(), "the same kpm");
    assertNotEquals(killed, postmaster(), "a new postmaster");
    assertEquals("[\"after\",\"before\"]", kpm.send("GET", "/plugins/sinks", null).body());
    assertEquals("on", show("fsync"));
    assertTrue(kpm.log().contains("embedded PostgreSQL is running again"), kpm.log());
  }
}
