package dev.kpm.launcher;

import static dev.kpm.testing.HomeAssertions.files;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.testing.Await;
import dev.kpm.testing.FixtureServer;
import dev.kpm.testing.LauncherProcess;
import dev.kpm.testing.Pause;
import dev.kpm.testing.ProbePlugins;
import dev.kpm.testing.Processes;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of kpm at every phase of a change at once — downloading, after extraction, during
 * install.sh, between the file moves and the commit, during a drop, during a portable hot update —
 * then a restart: each plugin is fully there or fully absent, no staging residue is left, and no
 * process of the killed kpm survives (its plugin processes and install.sh trees are stopped at the
 * next start).
 */
class LauncherFaultIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PAUSES =
      "-Dkpm.test.pauseAt=extracted:fex,moved:fmv,dropping:fdr,started:fpu";

  private Path dir;

  private String body(String name, Path zip) {
    return "{\"name\":\"" + name + "\",\"file\":\"file://" + zip + "\"}";
  }

  private Path zip(String file, List<Entry> entries) {
    return TestPlugins.zip(dir.resolve(file), entries);
  }

  private static long pid(LauncherProcess kpm, String portable) throws Exception {
    JsonNode s =
        JSON.readTree(kpm.send("GET", "/plugins/portables/" + portable + "/status", null).body());
    return s.get("pid").asLong();
  }

  private static CompletableFuture<Void> async(
      LauncherProcess kpm, String method, String path, String body) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            kpm.send(method, path, body);
          } catch (Exception expected) {
            // kpm dies under this request
          }
        });
  }

  @Test
  void aKillAtEveryPhaseLeavesEachPluginWholeOrAbsentAndNoProcessBehind() throws Exception {
    dir = Files.createTempDirectory(Path.of("target"), "fault-it-").toAbsolutePath();
    Path home = dir.resolve("home");
    int dbPort = LauncherProcess.freePort();
    Path scriptPid = dir.resolve("script.pid");
    byte[] noise = new byte[1 << 20];
    new Random(7).nextBytes(noise);

    LauncherProcess setup = LauncherProcess.start(home, dbPort, "setup.log");
    assertEquals(
        201,
        setup
            .send(
                "POST",
                "/plugins/sources",
                body(
                    "fmv",
                    zip(
                        "fmv1.zip",
                        List.of(Entry.file("Fmv@v1.so", "one"), Entry.file("fmv.yaml", "v: 1\n")))))
            .statusCode());
    assertEquals(
        201,
        setup
            .send(
                "POST",
                "/plugins/sources",
                body(
                    "fdr",
                    zip(
                        "fdr.zip",
                        List.of(Entry.file("Fdr.so", "dr"), Entry.file("fdr.yaml", "a: 1\n")))))
            .statusCode());
    assertEquals(
        201,
        setup
            .send("POST", "/plugins/portables", body("fpu", ProbePlugins.zip(dir, "fpu", "v1.0.0")))
            .statusCode());
    assertEquals(
        201,
        setup
            .send("POST", "/plugins/portables", body("fpr", ProbePlugins.zip(dir, "fpr", "v1.0.0")))
            .statusCode());
    assertEquals(143, setup.stop());

    List<Long> doomed = new ArrayList<>();
    try (FixtureServer server = new FixtureServer(dir)) {
      zip("fdl.zip", List.of(new Entry("Fdl.so", noise, 0100644)));
      LauncherProcess killed = LauncherProcess.start(home, dbPort, "killed.log", List.of(PAUSES));
      doomed.add(pid(killed, "fpr"));
      long oldPu = pid(killed, "fpu");
      async(
          killed,
          "POST",
          "/plugins/sinks",
          "{\"name\":\"fdl\",\"file\":\"" + server.stallUrl("fdl.zip") + "\"}");
      async(
          killed,
          "POST",
          "/plugins/sinks",
          body("fex", zip("fex.zip", List.of(Entry.file("Fex.so", "ex")))));
      async(
          killed,
          "POST",
          "/plugins/sinks",
          body(
              "fsh",
              zip(
                  "fsh.zip",
                  List.of(
                      Entry.file("Fsh.so", "sh"),
                      Entry.file(
                          "install.sh",
                          "echo $$ > '"
                              + scriptPid
                              + ".tmp'; mv '"
                              + scriptPid
                              + ".tmp' '"
                              + scriptPid
                              + "'; exec sleep 300\n")))));
      async(
          killed,
          "PUT",
          "/plugins/sources/fmv",
          body(
              "fmv",
              zip(
                  "fmv2.zip",
                  List.of(Entry.file("Fmv@v2.so", "two"), Entry.file("fmv.yaml", "v: 2\n")))));
      async(killed, "DELETE", "/plugins/sources/fdr", null);
      async(
          killed,
          "PUT",
          "/plugins/portables/fpu",
          body("fpu", ProbePlugins.zip(dir, "fpu", "v2.0.0")));

      Await.until("the download is half done", () -> server.stalled() == 1);
      Pause.awaitReached(home, "extracted", "fex");
      Await.until("install.sh runs", () -> Files.exists(scriptPid));
      Pause.awaitReached(home, "moved", "fmv");
      Pause.awaitReached(home, "dropping", "fdr");
      Pause.awaitReached(home, "started", "fpu");
      long newPu = pid(killed, "fpu");
      assertNotEquals(oldPu, newPu, "the update's new process runs");
      doomed.add(newPu);
      doomed.add(Long.parseLong(Files.readString(scriptPid).strip()));
      assertTrue(doomed.stream().allMatch(Processes::alive), "all running before the kill");
      killed.kill();
    }

    LauncherProcess after = LauncherProcess.start(home, dbPort, "after.log");
    try {
      for (long pid : doomed) {
        assertFalse(Processes.alive(pid), "process " + pid + " of the killed kpm survived");
      }
      assertEquals("[]", after.send("GET", "/plugins/sinks", null).body());
      assertEquals(List.of(), files(home.resolve("plugins/sinks")));
      assertEquals(List.of(), files(home.resolve("etc/sinks")));
      assertEquals(List.of(), files(home.resolve("data/sinks")));

      assertEquals("[\"fmv\"]", after.send("GET", "/plugins/sources", null).body());
      assertEquals(
          "{\"name\":\"fmv\",\"version\":\"1\"}",
          after.send("GET", "/plugins/sources/fmv", null).body());
      assertEquals(List.of("Fmv@v1.so"), files(home.resolve("plugins/sources")));
      assertEquals("one", Files.readString(home.resolve("plugins/sources/Fmv@v1.so")));
      assertFalse(Files.exists(home.resolve("etc/sources/fdr.yaml")), "the drop was finished");
      assertFalse(Files.exists(home.resolve("data/sources/fdr.yaml")), "the drop was finished");
      assertEquals("[]", after.send("GET", "/plugins/sinks", null).body());
      assertEquals("v: 1\n", Files.readString(home.resolve("etc/sources/fmv.yaml")));

      JsonNode pu = JSON.readTree(after.send("GET", "/plugins/portables/fpu", null).body());
      assertEquals("v1.0.0", pu.get("version").asText(), "the hot update was rolled back");
      Await.until("fpu runs again", Duration.ofSeconds(60), () -> running(after, "fpu"));
      Await.until("fpr runs again", Duration.ofSeconds(60), () -> running(after, "fpr"));
      assertTrue(
          Files.readString(home.resolve("plugins/portable/fpu/fpu.json")).contains("v1.0.0"));

      assertEquals(List.of(), files(home.resolve(".kpm/staging")), "staging residue");
      for (String name : List.of("fdl", "fex", "fsh")) {
        String log = after.send("GET", "/plugins/sinks/" + name + "/installs", null).body();
        assertTrue(log.contains("\"state\":\"ABORTED\""), name + ": " + log);
      }
      assertTrue(
          after.log().contains("stopped processes an earlier run of kpm left running"),
          after.log());
    } finally {
      assertEquals(143, after.stop());
    }
  }

  private static boolean running(LauncherProcess kpm, String name) {
    try {
      JsonNode s =
          JSON.readTree(kpm.send("GET", "/plugins/portables/" + name + "/status", null).body());
      return s.get("status").asText().equals("running");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
