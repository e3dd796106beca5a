package dev.kpm.api;

import static dev.kpm.api.NativeTestSupport.assertError;
import static dev.kpm.api.NativeTestSupport.assertText;
import static dev.kpm.testing.HomeAssertions.files;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.Settings;
import dev.kpm.testing.ApiTest;
import dev.kpm.testing.Await;
import dev.kpm.testing.Probe;
import dev.kpm.testing.Processes;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The whole life of a portable plugin through the real API, with the real libnng peer as its
 * process: install, status, function, source, sink with acks, refCount, crash and restart with
 * replay, hot update, drop, re-create resuming the started source.
 */
class PortableLifecycleIT extends ApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SOURCE =
      "{\"symbolName\":\"counter\",\"meta\":{\"ruleId\":\"rule1\",\"opId\":\"counterStream\","
          + "\"instanceId\":0},\"pluginType\":\"source\",\"dataSource\":\"demo\","
          + "\"config\":{\"interval\":50}}";
  private static final String SINK =
      "{\"symbolName\":\"print\",\"meta\":{\"ruleId\":\"rule1\",\"opId\":\"print_0\","
          + "\"instanceId\":0},\"pluginType\":\"sink\",\"config\":{\"requireAck\":true}}";

  @Override
  protected Map<Settings.Key, String> settings() {
    return Map.of(Settings.Key.HANDSHAKE_TIMEOUT, "PT20S");
  }

  private Path zip(String version) throws Exception {
    byte[] exe = Files.readAllBytes(Probe.binary());
    return TestPlugins.zip(
        fixtures.resolve("probe-" + version + ".zip"),
        List.of(
            Entry.file(
                "probe.json",
                "{\"version\":\""
                    + version
                    + "\",\"language\":\"go\",\"executable\":\"probe\","
                    + "\"sources\":[\"counter\"],\"sinks\":[\"print\"],\"functions\":[\"echo\"]}"),
            new Entry("probe", exe, 0100644),
            Entry.file("sources/counter.yaml", "default:\n  interval: 100\n"),
            Entry.file("sinks/print.json", "{}")));
  }

  private Response send(String method, String path, String body) {
    return body == null
        ? target(path).request().method(method)
        : target(path).request().method(method, Entity.entity(body, MediaType.APPLICATION_JSON));
  }

  private JsonNode status() {
    try {
      return JSON.readTree(target("plugins/portables/probe/status").request().get(String.class));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private JsonNode awaitRunning(long notPid) {
    AtomicReference<JsonNode> last = new AtomicReference<>();
    return Await.value(
        () -> "running again with a pid other than " + notPid + ", last status " + last.get(),
        Duration.ofSeconds(30),
        () -> {
          JsonNode s = status();
          last.set(s);
          boolean again =
              s.get("status").asText().equals("running") && s.get("pid").asLong() != notPid;
          return again ? s : null;
        });
  }

  private JsonNode tuples(int count) throws Exception {
    return JSON.readTree(
        target("plugins/portables/probe/symbols/sources/rule1_counterStream_0")
            .queryParam("count", count)
            .request()
            .get(String.class));
  }

  @Test
  void aPortablePluginLivesThroughCrashUpdateDropAndRecreate() throws Exception {
    String create = "{\"name\":\"probe\",\"file\":\"file://" + zip("v1.0.0") + "\"}";
    assertText(send("POST", "plugins/portables", create), 201, "portable plugin probe is created");
    JsonNode s = status();
    assertEquals("running", s.get("status").asText(), s.toString());
    long pid = s.get("pid").asLong();
    assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    assertTrue(
        Files.isExecutable(kpm.home().resolve("plugins/portable/probe/probe")),
        "the declared executable gets its owner execute bit (docs/api.md §9.8)");

    send(
        "POST",
        "plugins/portables/probe/symbols/start",
        "{\"symbolName\":\"echo\",\"meta\":{\"ruleId\":\"\",\"opId\":\"\",\"instanceId\":0},\"pluginType\":\"func\"}");
    String reply =
        send(
                "POST",
                "plugins/portables/probe/symbols/functions/echo",
                "{\"func\":\"Exec\",\"arg\":[\"abc\",\"{\\\"ruleId\\\":\\\"r1\\\",\\\"opId\\\":\\\"op1\\\",\\\"instanceId\\\":0,\\\"funcId\\\":0}\"]}")
            .readEntity(String.class);
    assertEquals("abc", JSON.readTree(reply).get("result").asText(), reply);

    assertEquals(200, send("POST", "plugins/portables/probe/symbols/start", SOURCE).getStatus());
    assertEquals(10, tuples(10).size());
    assertEquals(200, send("POST", "plugins/portables/probe/symbols/start", SINK).getStatus());
    String ack =
        target("plugins/portables/probe/symbols/sinks/rule1_print_0_0")
            .queryParam("ack", true)
            .request()
            .post(Entity.entity("{\"a\":1}", MediaType.APPLICATION_JSON))
            .readEntity(String.class);
    assertEquals("{\"ack\":{}}", ack);
    assertEquals("{\"rule1\":2}", status().get("refCount").toString());

    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    JsonNode restarted = awaitRunning(pid);
    assertEquals(1, restarted.get("restarts").asInt());
    assertTrue(tuples(3).size() == 3, "the journal was replayed: the source produces again");

    String update = "{\"name\":\"probe\",\"file\":\"file://" + zip("v2.0.0") + "\"}";
    assertText(
        send("PUT", "plugins/portables/probe", update), 200, "portable plugin probe is updated");
    JsonNode updated = status();
    assertNotEquals(restarted.get("pid").asLong(), updated.get("pid").asLong());
    assertEquals("{\"rule1\":2}", updated.get("refCount").toString());
    assertEquals(
        "v2.0.0",
        JSON.readTree(target("plugins/portables/probe").request().get(String.class))
            .get("version")
            .asText());
    assertEquals(3, tuples(3).size());
    assertTrue(
        target("plugins/portables/probe/output").request().get(String.class).contains("probe:"),
        "the process output is readable");

    Path broken =
        TestPlugins.zip(
            fixtures.resolve("broken.zip"),
            List.of(
                Entry.file(
                    "probe.json",
                    "{\"language\":\"go\",\"executable\":\"probe\",\"sources\":[\"counter\"],"
                        + "\"sinks\":[\"print\"],\"functions\":[\"echo\"]}"),
                new Entry("probe", "#!/bin/sh\nexit 3\n".getBytes(), 0100755),
                Entry.file("sources/counter.yaml", "default: {}\n")));
    Response failed =
        send(
            "PUT",
            "plugins/portables/probe",
            "{\"name\":\"probe\",\"file\":\"file://" + broken + "\"}");
    assertEquals(400, failed.getStatus(), failed.readEntity(String.class));
    JsonNode kept = awaitRunning(0);
    assertEquals(
        "v2.0.0",
        JSON.readTree(target("plugins/portables/probe").request().get(String.class))
            .get("version")
            .asText());
    assertEquals("{\"rule1\":2}", kept.get("refCount").toString());
    assertEquals(3, tuples(3).size(), "the old version runs on after a failed update");
    updated = kept;

    long last = updated.get("pid").asLong();
    assertText(
        send("DELETE", "plugins/portables/probe", null), 200, "portable plugin probe is deleted");
    Processes.awaitDead(last, "the dropped plugin's process is stopped", Duration.ofSeconds(15));
    assertError(
        target("plugins/portables/probe/status").request().get(),
        404,
        "portable plugin probe not found: not found");
    assertEquals(List.of(), files(kpm.home().resolve("plugins/portable")));
    assertEquals(List.of(), files(kpm.home().resolve("etc/sources")));

    assertEquals(201, send("POST", "plugins/portables", create).getStatus());
    assertEquals(3, tuples(3).size(), "the started source resumed without a new start");

    long again = status().get("pid").asLong();
    kpm.runtime().close();
    Processes.awaitDead(again, "no orphan after kpm stops", Duration.ofSeconds(15));
    assertTrue(Files.notExists(Path.of("/tmp/plugin_probe.ipc")), "control socket file removed");
    assertTrue(Files.notExists(Path.of("/tmp/rule1_counterStream_0.ipc")), "source socket removed");
  }
}
