package dev.kpm.api;

import static dev.kpm.api.NativeTestSupport.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.Settings;
import dev.kpm.testing.ApiTest;
import dev.kpm.testing.Probe;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A source or sink instance belongs to the portable plugin that started it: its data is read and
 * fed only through that plugin's symbol path, with the real probe as both plugins' process.
 */
class PortableChannelOwnershipIT extends ApiTest {
  private static final String SOURCE =
      "{\"symbolName\":\"counter\",\"meta\":{\"ruleId\":\"own\",\"opId\":\"counterStream\","
          + "\"instanceId\":0},\"pluginType\":\"source\",\"dataSource\":\"demo\","
          + "\"config\":{\"interval\":20}}";
  private static final String SINK =
      "{\"symbolName\":\"print\",\"meta\":{\"ruleId\":\"own\",\"opId\":\"print_0\","
          + "\"instanceId\":0},\"pluginType\":\"sink\",\"config\":{}}";

  @Override
  protected Map<Settings.Key, String> settings() {
    return Map.of(Settings.Key.HANDSHAKE_TIMEOUT, "PT20S");
  }

  @BeforeAll
  void installTwoProbes() throws Exception {
    byte[] exe = Files.readAllBytes(Probe.binary());
    for (String name : List.of("owner", "other")) {
      Path zip =
          TestPlugins.zip(
              fixtures.resolve(name + ".zip"),
              List.of(
                  Entry.file(
                      name + ".json",
                      "{\"version\":\"v1.0.0\",\"language\":\"go\",\"executable\":\""
                          + name
                          + "\",\"sources\":[\"counter\"],\"sinks\":[\"print\"]}"),
                  new Entry(name, exe, 0100755),
                  Entry.file("sources/counter.yaml", "default: {}\n"),
                  Entry.file("sinks/print.json", "{}")));
      Response r =
          post("plugins/portables", "{\"name\":\"" + name + "\",\"file\":\"file://" + zip + "\"}");
      assertEquals(201, r.getStatus(), r.readEntity(String.class));
    }
    assertEquals(200, post("plugins/portables/owner/symbols/start", SOURCE).getStatus());
    assertEquals(200, post("plugins/portables/owner/symbols/start", SINK).getStatus());
  }

  @AfterAll
  void dropProbes() {
    for (String name : List.of("owner", "other")) {
      target("plugins/portables/" + name).request().delete().close();
    }
  }

  private Response post(String path, String body) {
    return target(path).request().post(Entity.entity(body, MediaType.APPLICATION_JSON));
  }

  private Response read(String plugin, int count) {
    return target("plugins/portables/" + plugin + "/symbols/sources/own_counterStream_0")
        .queryParam("count", count)
        .request()
        .get();
  }

  @Test
  void theStartingPluginReadsItsSourceAnotherPluginCannot() {
    Response own = read("owner", 2);
    assertEquals(200, own.getStatus());
    assertEquals(2, own.readEntity(String.class).split("\\},\\{").length);
    assertError(
        read("other", 1),
        400,
        "read source own_counterStream_0 error: source own_counterStream_0 of portable plugin"
            + " other is not started");
    assertError(read("nobody", 1), 404, "portable plugin nobody not found: not found");
  }

  @Test
  void theStartingPluginFeedsItsSinkAnotherPluginCannot() {
    assertEquals(
        200, post("plugins/portables/owner/symbols/sinks/own_print_0_0", "{}").getStatus());
    assertError(
        post("plugins/portables/other/symbols/sinks/own_print_0_0", "{}"),
        400,
        "write sink own_print_0_0 error: sink own_print_0_0 of portable plugin other is not"
            + " started");
  }

  @Test
  void anotherPluginCannotStartAChannelAPluginStartedAndTheOwnerKeepsIt() {
    assertError(
        post("plugins/portables/other/symbols/start", SOURCE),
        400,
        "start source counter error: channel own_counterStream_0 belongs to portable plugin"
            + " owner, which started it");
    Response own = read("owner", 1);
    assertEquals(200, own.getStatus(), "the owner still reads its source");
  }

  @Test
  void aChannelThatCannotListenIsA400NotA500() {
    String tooLong = "x".repeat(120); // a Unix socket path holds at most 107 bytes
    Response r =
        post(
            "plugins/portables/owner/symbols/start",
            SOURCE.replace("\"ruleId\":\"own\"", "\"ruleId\":\"" + tooLong + "\""));
    String body = r.readEntity(String.class);
    assertEquals(400, r.getStatus(), body);
    assertTrue(
        body.startsWith(
            "{\"error\":1000,\"message\":\"start source counter error: cannot listen on"
                + " ipc:///tmp/"
                + tooLong),
        body);
  }

  @Test
  void aReadAsksForOneToAThousandTuples() {
    assertError(
        read("owner", 0),
        400,
        "read source own_counterStream_0 error: count must be between 1 and 1000");
    assertError(
        read("owner", 1001),
        400,
        "read source own_counterStream_0 error: count must be between 1 and 1000");
  }
}
