package dev.kpm.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.Settings;
import dev.kpm.testing.ApiTest;
import dev.kpm.testing.Await;
import dev.kpm.testing.ProbePlugins;
import dev.kpm.testing.Processes;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The portable host under faults, with the real libnng probe as plugin process: a plugin killed
 * again and again is restarted with its started symbols replayed until the crash-loop policy stops
 * it, and an update brings it back; a gone plugin leaves no listening control channel unless a
 * started symbol still refers to it; a crash is reported while a slow command is in flight.
 */
class PortableSupervisionIT extends ApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  protected Map<Settings.Key, String> settings() {
    return Map.of(
        Settings.Key.CRASH_LOOP_RESTARTS, "3",
        Settings.Key.CRASH_LOOP_WINDOW, "PT2M",
        Settings.Key.HANDSHAKE_TIMEOUT, "PT20S");
  }

  private Response send(String method, String path, String body) {
    return body == null
        ? target(path).request().method(method)
        : target(path).request().method(method, Entity.entity(body, MediaType.APPLICATION_JSON));
  }

  private static String install(String name, Path zip) {
    return "{\"name\":\"" + name + "\",\"file\":\"file://" + zip + "\"}";
  }

  private JsonNode status(String name) {
    try {
      return JSON.readTree(
          send("GET", "plugins/portables/" + name + "/status", null).readEntity(String.class));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private long awaitRunning(String name, long notPid) {
    return Await.value(
        name + " running as a new process",
        Await.LONG,
        () -> {
          JsonNode s = status(name);
          long pid = s.get("pid").asLong();
          return s.get("status").asText().equals("running") && pid != notPid && pid != 0
              ? pid
              : null;
        });
  }

  private static void kill(long pid) {
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
  }

  private static Path socket(String name) {
    return Path.of("/tmp/plugin_" + name + ".ipc");
  }

  @Test
  void
      aPluginKilledAgainAndAgainIsRestartedWithItsSymbolsUntilTheCrashLoopStopsItAndAnUpdateBringsItBack() {
    Path zip = ProbePlugins.zip(fixtures, "looper", "v1.0.0");
    assertEquals(201, send("POST", "plugins/portables", install("looper", zip)).getStatus());
    assertEquals(
        200,
        send("POST", "plugins/portables/looper/symbols/start", ProbePlugins.counter("r1"))
            .getStatus());
    long pid = awaitRunning("looper", 0);

    for (int crash = 1; crash < 3; crash++) {
      kill(pid);
      pid = awaitRunning("looper", pid);
      JsonNode s = status("looper");
      assertEquals(crash, s.get("restarts").asInt(), s.toString());
      assertEquals("signal: killed", s.get("lastExit").asText(), s.toString());
      assertEquals(1, s.get("refCount").get("r1").asInt(), "the source is still counted");
      long replayedIn = pid;
      Await.until(
          "the restarted process got the source's start again",
          () -> {
            String out =
                send("GET", "plugins/portables/looper/output", null).readEntity(String.class);
            return out.contains("pid=" + replayedIn) && out.contains("command {\"cmd\":\"start\"");
          });
      String tuple =
          target("plugins/portables/looper/symbols/sources/r1_op_0")
              .queryParam("count", 1)
              .request()
              .get(String.class);
      assertTrue(json(tuple).get(0).has("message"), "tuples flow again: " + tuple);
    }

    kill(pid);
    Await.until(
        "the crash loop is reported",
        () -> status("looper").get("errMsg").asText().startsWith("crash loop:"));
    JsonNode loop = status("looper");
    assertEquals("error", loop.get("status").asText());
    assertEquals(0, loop.get("pid").asLong());
    assertEquals("signal: killed", loop.get("lastExit").asText());
    assertTrue(
        loop.get("errMsg").asText().startsWith("crash loop: the process ended 3 times within PT2M"),
        loop.toString());
    Await.holds(
        "no restart after a crash loop (the next backoff would be 2 s)",
        Duration.ofSeconds(4),
        () -> status("looper").get("pid").asLong() == 0);

    // kpm's own actions are in the audit trail: two restarts, then the crash loop, by "system".
    Await.until(
        "the restarts and the crash loop are audited",
        () ->
            kpm.count(
                    "SELECT count(*) FROM audit_event WHERE action = 'portable.restart'"
                        + " AND plugin_name = 'looper' AND subject = 'system'")
                == 3);
    assertEquals(
        2,
        kpm.count(
            "SELECT count(*) FROM audit_event WHERE action = 'portable.restart'"
                + " AND plugin_name = 'looper' AND outcome = 'ok'"
                + " AND detail = 'the process ended: signal: killed'"));
    assertEquals(
        1,
        kpm.count(
            "SELECT count(*) FROM audit_event WHERE action = 'portable.restart'"
                + " AND plugin_name = 'looper' AND outcome = 'failed'"
                + " AND error LIKE 'crash loop: the process ended 3 times%'"));

    assertEquals(200, send("PUT", "plugins/portables/looper", install("looper", zip)).getStatus());
    long back = awaitRunning("looper", 0);
    assertTrue(Processes.alive(back));
    assertEquals(1, status("looper").get("refCount").get("r1").asInt(), "the source was replayed");
    assertEquals("", status("looper").get("errMsg").asText());
  }

  private static JsonNode json(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(body, e);
    }
  }

  @Test
  void aDroppedPluginWithoutStartedSymbolsClosesItsControlChannelAtOnce() {
    Path zip = ProbePlugins.zip(fixtures, "brief", "v1.0.0");
    assertEquals(201, send("POST", "plugins/portables", install("brief", zip)).getStatus());
    assertTrue(Files.exists(socket("brief")), "listening while installed");

    assertEquals(200, send("DELETE", "plugins/portables/brief", null).getStatus());
    assertFalse(Files.exists(socket("brief")), "control channel closed with the plugin");
  }

  @Test
  void aPluginWhoseFirstStartFailsLeavesNoControlChannel() {
    Path zip = ProbePlugins.failing(fixtures, "stillborn");
    Response answer = send("POST", "plugins/portables", install("stillborn", zip));
    assertEquals(400, answer.getStatus());
    assertTrue(
        answer.readEntity(String.class).contains("stops with error exit status 2"), "its exit");
    assertFalse(Files.exists(socket("stillborn")), "no socket left for a refused plugin");
  }

  @Test
  void aDroppedPluginWithAStartedSymbolKeepsItsChannelAndARecreateResumesIt() {
    Path zip = ProbePlugins.zip(fixtures, "keeper", "v1.0.0");
    assertEquals(201, send("POST", "plugins/portables", install("keeper", zip)).getStatus());
    assertEquals(
        200,
        send("POST", "plugins/portables/keeper/symbols/start", ProbePlugins.counter("r9"))
            .getStatus());
    assertEquals(200, send("DELETE", "plugins/portables/keeper", null).getStatus());
    assertTrue(Files.exists(socket("keeper")), "a rule still refers to it");

    assertEquals(201, send("POST", "plugins/portables", install("keeper", zip)).getStatus());
    awaitRunning("keeper", 0);
    assertEquals(1, status("keeper").get("refCount").get("r9").asInt());
    assertEquals(
        200,
        send("POST", "plugins/portables/keeper/symbols/stop", ProbePlugins.counter("r9"))
            .getStatus());
    assertEquals(200, send("DELETE", "plugins/portables/keeper", null).getStatus());
    assertFalse(Files.exists(socket("keeper")), "the last reference went with the stop");
  }

  @Test
  void aCrashIsReportedWhileASlowCommandIsInFlight() {
    Path zip =
        ProbePlugins.withEnvironment(fixtures, "sloth", "v1.0.0", "PROBE_COMMAND_DELAY_MS=8000");
    assertEquals(201, send("POST", "plugins/portables", install("sloth", zip)).getStatus());
    long pid = awaitRunning("sloth", 0);

    CompletableFuture<Response> slow =
        CompletableFuture.supplyAsync(
            () -> send("POST", "plugins/portables/sloth/symbols/start", ProbePlugins.counter("r")));
    Await.until(
        "the plugin received the command",
        () ->
            send("GET", "plugins/portables/sloth/output", null)
                .readEntity(String.class)
                .contains("command {\"cmd\":\"start\""));
    kill(pid);

    Await.until(
        "the crash shows in the status",
        Duration.ofSeconds(4),
        () -> status("sloth").get("lastExit").asText().equals("signal: killed"));
    assertFalse(slow.isDone(), "the command is still waiting for its answer");
    assertNotEquals(200, slow.join().getStatus());
  }
}
