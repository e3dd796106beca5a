package dev.kpm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.testing.ApiTest;
import dev.kpm.testing.Await;
import dev.kpm.testing.ProbePlugins;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The portable meters of {@code GET /metrics} fed by the real host (docs/api.md §8.13), with the
 * libnng probe as plugin process: a function call is timed, a killed process is counted as a
 * restart, and the processes are counted by status.
 */
class PortableMetricsIT extends ApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Response send(String method, String path, String body) {
    return body == null
        ? target(path).request().method(method)
        : target(path).request().method(method, Entity.entity(body, MediaType.APPLICATION_JSON));
  }

  private JsonNode status(String name) throws Exception {
    return JSON.readTree(
        send("GET", "plugins/portables/" + name + "/status", null).readEntity(String.class));
  }

  private Double sample(String name, String labels) {
    String text = target("metrics").request().get(String.class);
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels + "}") + " (\\S+)$")
            .matcher(text);
    return m.find() ? Double.valueOf(m.group(1)) : null;
  }

  @Test
  void aFunctionCallIsTimedAKilledProcessIsARestartAndProcessesAreCountedByStatus()
      throws Exception {
    Path zip = ProbePlugins.zip(fixtures, "meterprobe", "v1.0.0");
    assertEquals(
        201,
        send(
                "POST",
                "plugins/portables",
                "{\"name\":\"meterprobe\",\"file\":\"file://" + zip + "\"}")
            .getStatus());
    assertEquals(1.0, sample("kpm_portable_processes", "status=\"running\""));
    assertEquals(
        200,
        send(
                "POST",
                "plugins/portables/meterprobe/symbols/start",
                "{\"symbolName\":\"echo\",\"meta\":{\"ruleId\":\"\",\"opId\":\"\",\"instanceId\":0},"
                    + "\"pluginType\":\"func\"}")
            .getStatus());
    String reply =
        send(
                "POST",
                "plugins/portables/meterprobe/symbols/functions/echo",
                "{\"func\":\"Exec\",\"arg\":[\"abc\",\"{\\\"ruleId\\\":\\\"r1\\\",\\\"opId\\\":"
                    + "\\\"op1\\\",\\\"instanceId\\\":0,\\\"funcId\\\":0}\"]}")
            .readEntity(String.class);
    assertEquals("abc", JSON.readTree(reply).get("result").asText(), reply);
    String call = "function=\"echo\",outcome=\"ok\",plugin=\"meterprobe\"";
    assertEquals(1.0, sample("kpm_portable_function_calls_seconds_count", call));
    assertTrue(sample("kpm_portable_function_calls_seconds_sum", call) > 0);

    long pid = status("meterprobe").get("pid").asLong();
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    Await.until(
        "the killed process is counted as a restart",
        () ->
            Double.valueOf(1.0)
                .equals(
                    sample("kpm_portable_restarts_total", "outcome=\"ok\",plugin=\"meterprobe\"")));
    Await.until(
        "the restarted process runs",
        () -> Double.valueOf(1.0).equals(sample("kpm_portable_processes", "status=\"running\"")));
    assertEquals(0.0, sample("kpm_portable_processes", "status=\"error\""));

    assertEquals(200, send("DELETE", "plugins/portables/meterprobe", null).getStatus());
  }
}
