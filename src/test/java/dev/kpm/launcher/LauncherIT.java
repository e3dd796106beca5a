package dev.kpm.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's run command, for real: the launcher jar in its own JVM, with its embedded
 * PostgreSQL, serving on a port; stopped by SIGTERM and started again on the same home.
 */
class LauncherIT {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private final HttpClient http = HttpClient.newHttpClient();

  private record Running(Process process, Path log, int port) {}

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private Running start(Path home, int httpPort, int dbPort, String logName) throws Exception {
    Path log = home.resolveSibling(logName);
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dkpm.db.port=" + dbPort,
                "-jar",
                System.getProperty("kpm.it.launcher"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("KPM_HOME", home.toString());
    builder.environment().put("KPM_PORT", Integer.toString(httpPort));
    builder.environment().remove("DB_URL");
    Process process = builder.start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      assertTrue(process.isAlive(), () -> "launcher exited early:\n" + read(log));
      try {
        if (get(httpPort, "/plugins/sources").statusCode() == 200) {
          return new Running(process, log, httpPort);
        }
      } catch (ConnectException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    process.destroyForcibly();
    throw new AssertionError("kpm did not answer within " + START_TIMEOUT + ":\n" + read(log));
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static int stop(Running running) throws InterruptedException {
    running.process().destroy(); // SIGTERM
    assertTrue(
        running.process().waitFor(60, TimeUnit.SECONDS),
        () -> "launcher ignored SIGTERM:\n" + read(running.log()));
    return running.process().exitValue();
  }

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
    int dbPort = freePort();
    Running first = start(home, freePort(), dbPort, "first.log");
    try {
      assertEquals("[]", get(first.port(), "/plugins/sources").body());
      HttpResponse<String> invalid = get(first.port(), "/plugins/sources/a.b");
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
      assertEquals(143, stop(first), "exit status after SIGTERM");
    }
    String firstLog = read(first.log());
    assertTrue(firstLog.contains("1 migration(s) applied now"), firstLog);
    assertTrue(firstLog.contains("kpm stopped"), firstLog);
    assertTrue(firstLog.contains("embedded PostgreSQL stopped"), firstLog);
    assertFalse(accepts(dbPort), "PostgreSQL still listening after the launcher stopped");
    for (String leak :
        List.of("SEVERE", "appears to have started a thread", "failed to unregister")) {
      assertFalse(firstLog.contains(leak), () -> leak + " in the log:\n" + firstLog);
    }
    assertTrue(Files.isDirectory(home.resolve("plugins/portable")));
    assertTrue(Files.isDirectory(home.resolve("pgdata")));

    Running second = start(home, freePort(), dbPort, "second.log");
    try {
      assertEquals("[\"persisted\"]", get(second.port(), "/plugins/sources").body());
    } finally {
      stop(second);
    }
    String secondLog = read(second.log());
    assertTrue(secondLog.contains("0 migration(s) applied now"), secondLog);
    assertFalse(secondLog.contains("SEVERE"), secondLog);
  }
}
