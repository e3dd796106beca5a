package dev.kpm.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.testing.LauncherProcess;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's run command, for real: the launcher jar in its own JVM, with its embedded
 * PostgreSQL, serving on a port; stopped by SIGTERM and started again on the same home.
 */
class LauncherIT {

  private static boolean accepts(int port) {
    try (Socket ignored = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void servesTheApiStopsOnSigtermAndRestartsOnTheSameData() throws Exception {
    Path home = Files.createTempDirectory(Path.of("target"), "launcher-it-").resolve("home");
    int dbPort = LauncherProcess.freePort();
    LauncherProcess first = LauncherProcess.start(home, dbPort, "first.log");
    try {
      assertEquals("[]", first.send("GET", "/plugins/sources", null).body());
      HttpResponse<String> invalid = first.send("GET", "/plugins/sources/a.b", null);
      assertEquals(400, invalid.statusCode());
      assertEquals(
          "{\"error\":1000,\"message\":\"id 'a.b' contains invalid characters: only alphanumeric,"
              + " hyphens and underscores are allowed\"}\n",
          invalid.body());
      try (Connection c =
              DriverManager.getConnection(
                  "jdbc:postgresql://127.0.0.1:" + dbPort + "/postgres", "postgres", "");
          Statement st = c.createStatement()) {
        st.execute(
            "INSERT INTO plugin (type, name, state) VALUES ('sources', 'persisted', 'INSTALLED')");
      }
    } finally {
      assertEquals(143, first.stop(), "exit status after SIGTERM");
    }
    String firstLog = first.log();
    assertTrue(firstLog.contains("6 migration(s) applied now"), firstLog);
    assertTrue(firstLog.contains("kpm stopped"), firstLog);
    assertTrue(firstLog.contains("embedded PostgreSQL stopped"), firstLog);
    assertFalse(accepts(dbPort), "PostgreSQL still listening after the launcher stopped");
    for (String leak :
        List.of("SEVERE", "appears to have started a thread", "failed to unregister")) {
      assertFalse(firstLog.contains(leak), () -> leak + " in the log:\n" + firstLog);
    }
    assertTrue(Files.isDirectory(home.resolve("plugins/portable")));
    assertTrue(Files.isDirectory(home.resolve("pgdata")));

    LauncherProcess second = LauncherProcess.start(home, dbPort, "second.log");
    try {
      assertEquals("[\"persisted\"]", second.send("GET", "/plugins/sources", null).body());
      HttpResponse<String> drop = second.send("DELETE", "/plugins/sources/persisted?stop=1", null);
      assertEquals("sources plugin persisted is deleted and eKuiper will be stopped", drop.body());
    } finally {
      assertEquals(100, second.await(), "?stop=1 exits with status 100");
    }
    String secondLog = second.log();
    assertTrue(secondLog.contains("0 migration(s) applied now"), secondLog);
    assertTrue(secondLog.contains("embedded PostgreSQL stopped"), secondLog);
    assertFalse(secondLog.contains("SEVERE"), secondLog);
    assertFalse(accepts(dbPort), "PostgreSQL still listening after ?stop=1");
  }
}
