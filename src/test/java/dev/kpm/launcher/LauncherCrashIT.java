package dev.kpm.launcher;

import static dev.kpm.testing.HomeAssertions.files;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.testing.Await;
import dev.kpm.testing.LauncherProcess;
import dev.kpm.testing.Processes;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of kpm while install.sh runs: after a restart the plugin is not there at all and the
 * orphaned script is stopped.
 */
class LauncherCrashIT {

  @Test
  void aKillDuringInstallScriptLeavesNothingAfterRestart() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("target"), "crash-it-").toAbsolutePath();
    Path home = dir.resolve("home");
    Path marker = dir.resolve("script.pid");
    String script =
        "echo $$ > '"
            + marker
            + ".tmp'; mv '"
            + marker
            + ".tmp' '"
            + marker
            + "'; exec sleep 120\n";
    Path zip =
        TestPlugins.zip(
            dir.resolve("slow.zip"),
            List.of(
                Entry.file("Slow@v1.so", "so"),
                Entry.file("slow.json", "{}"),
                Entry.file("etc/slow.conf", "c"),
                Entry.file("install.sh", script)));
    String body = "{\"name\":\"slow\",\"file\":\"file://" + zip + "\"}";
    int dbPort = LauncherProcess.freePort();

    LauncherProcess first = LauncherProcess.start(home, dbPort, "first.log");
    CompletableFuture.runAsync(
        () -> {
          try {
            first.send("POST", "/plugins/sinks", body);
          } catch (Exception expected) {
            // the server dies under this request
          }
        });
    Await.until(
        () -> "install.sh runs (it writes " + marker + "); kpm's log:\n" + first.log(),
        Duration.ofSeconds(60),
        () -> Files.exists(marker));
    first.kill();
    long scriptPid = Long.parseLong(Files.readString(marker).strip());
    assertTrue(Processes.alive(scriptPid), "install.sh outlives the killed kpm");

    LauncherProcess second = LauncherProcess.start(home, dbPort, "second.log");
    try {
      assertFalse(Processes.alive(scriptPid), "the next start stopped the orphaned install.sh");
      assertEquals("[]", second.send("GET", "/plugins/sinks", null).body());
      assertEquals(List.of(), files(home.resolve("plugins/sinks")));
      assertEquals(List.of(), files(home.resolve("etc/sinks")));
      assertEquals(List.of(), files(home.resolve("data/sinks")));
      assertEquals(List.of(), files(home.resolve(".kpm/staging")));
      String log = second.send("GET", "/plugins/sinks/slow/installs", null).body();
      assertTrue(log.contains("\"state\":\"ABORTED\""), log);
      Path ok = TestPlugins.zip(dir.resolve("ok.zip"), List.of(Entry.file("Slow@v1.so", "so")));
      assertEquals(
          201,
          second
              .send("POST", "/plugins/sinks", "{\"name\":\"slow\",\"file\":\"file://" + ok + "\"}")
              .statusCode());
    } finally {
      second.stop();
    }
  }
}
