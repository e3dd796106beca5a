package dev.kpm.portable.sp;

import static dev.kpm.portable.sp.SpTests.WAIT;
import static dev.kpm.portable.sp.SpTests.bytes;
import static dev.kpm.portable.sp.SpTests.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kpm.testing.Await;
import dev.kpm.testing.Probe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Java sockets as an eKuiper host driving the real libnng plugin peer, portable-probe
 * (docs/portable-protocol.md §5): handshake, control commands through the §3.4 loop, function
 * calls, source tuples, keepalives, and the plugin's exit when the host goes away.
 */
class SpProbeInteropIT {
  static final Duration EXIT = Duration.ofSeconds(20);
  static final Path FUNC_ECHO = Path.of("/tmp/func_echo.ipc");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Path probe;

  private final List<AutoCloseable> sockets = new ArrayList<>();
  private String name;
  private RepSocket control;
  private Child plugin;

  @BeforeAll
  static void buildProbe() {
    probe = Probe.binary();
  }

  @BeforeEach
  void listenOnTheControlChannel() throws IOException {
    name = "kpmsp" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
    control = own(RepSocket.listen(Path.of("/tmp/plugin_" + name + ".ipc")));
  }

  @AfterEach
  void stopEverything() throws Exception {
    try {
      for (AutoCloseable socket : sockets) {
        socket.close();
      }
    } finally {
      if (plugin != null) {
        plugin.close();
      }
    }
  }

  @Test
  void theProbeHandshakesAndExitsWith1WhenTheHostClosesTheControlChannel() throws Exception {
    startProbe(Map.of());

    control.close();

    assertEquals(1, plugin.exitStatus(EXIT), plugin.output());
    plugin.awaitLine(line -> line.contains("control channel receive failed"), WAIT);
  }

  @Test
  void aFunctionStartsAndEchoesItsArgument() throws Exception {
    startProbe(Map.of());
    RepSocket function = own(listenShared(FUNC_ECHO));

    byte[] start = start("echo", meta("", ""), "func", null);
    assertEquals(
        "{\"cmd\":\"start\",\"arg\":\"{\\\"symbolName\\\":\\\"echo\\\",\\\"meta\\\":{\\\"ruleId\\\":\\\"\\\","
            + "\\\"opId\\\":\\\"\\\",\\\"instanceId\\\":0},\\\"pluginType\\\":\\\"func\\\"}\"}",
        text(start));
    assertEquals("ok", text(control.exchange(start, WAIT)));
    JsonNode exec =
        call(
            function,
            "{\"func\":\"Exec\",\"arg\":[\"abc\",\"{\\\"ruleId\\\":\\\"r1\\\",\\\"opId\\\":\\\"op1\\\","
                + "\\\"instanceId\\\":0,\\\"funcId\\\":0}\"]}");
    JsonNode aggregate = call(function, "{\"func\":\"IsAggregate\",\"arg\":null}");

    assertEquals(JSON.readTree("{\"state\":true,\"result\":\"abc\"}"), exec);
    assertEquals(JSON.readTree("{\"state\":true,\"result\":false}"), aggregate);
    plugin.awaitLine(line -> line.contains("Exec ctx ruleId=r1 funcId=0"), WAIT);
    function.close();
    control.close();
    assertEquals(1, plugin.exitStatus(EXIT), plugin.output());
  }

  @Test
  void aSourceDeliversItsTuplesAndStops() throws Exception {
    startProbe(Map.of());
    String rule = "r" + name;
    PullSocket source = own(PullSocket.listen(Path.of("/tmp/" + rule + "_src_0.ipc")));
    ObjectNode config = JSON.createObjectNode().put("interval", 100).put("count", 5);

    assertEquals(
        "ok", text(control.exchange(start("counter", meta(rule, "src"), "source", config), WAIT)));
    for (int i = 0; i < 5; i++) {
      JsonNode tuple = JSON.readTree(source.receive(WAIT));
      assertEquals(i, tuple.at("/message/seq").asInt(), tuple.toString());
      assertEquals("counter", tuple.at("/message/symbol").asText());
      assertEquals("portable-probe", tuple.at("/meta/origin").asText());
    }
    source.close();

    byte[] stop = command("stop", "counter", meta(rule, "src"), "source", config);
    assertEquals("ok", text(control.exchange(stop, WAIT)));
  }

  @Test
  void commandsStillGetThroughAfterIdleKeepalives() throws Exception {
    startProbe(Map.of("PROBE_KEEPALIVE_MS", "300"));
    String rule = "k" + name;
    PullSocket source = own(PullSocket.listen(Path.of("/tmp/" + rule + "_src_0.ipc")));

    // The control channel idles: the probe re-sends its handshake every 300 ms. Two of those.
    plugin.awaitLines(line -> line.contains("(keepalive)"), 2, WAIT);
    ObjectNode config = JSON.createObjectNode().put("interval", 100).put("count", 1);
    byte[] answer = control.exchange(start("counter", meta(rule, "src"), "source", config), WAIT);

    assertEquals("ok", text(answer));
    assertTrue(plugin.count(line -> line.contains("(keepalive)")) >= 2, plugin.output());
    assertEquals(0, JSON.readTree(source.receive(WAIT)).at("/message/seq").asInt());
    control.close();
    assertEquals(1, plugin.exitStatus(EXIT), plugin.output());
  }

  private void startProbe(Map<String, String> env) throws Exception {
    Map<String, String> all = new HashMap<>(env);
    all.put("PROBE_NAME", name);
    plugin =
        Child.start(List.of(probe.toString(), "{\"sendTimeout\":1000}"), all, probe.getParent());
    assertEquals("handshake", text(control.receive(WAIT)), "first control message");
  }

  private JsonNode call(RepSocket function, String request) throws IOException {
    return JSON.readTree(function.exchange(bytes(request), WAIT));
  }

  private static ObjectNode meta(String rule, String op) {
    return JSON.createObjectNode().put("ruleId", rule).put("opId", op).put("instanceId", 0);
  }

  private static byte[] start(String symbol, ObjectNode meta, String type, ObjectNode config)
      throws IOException {
    return command("start", symbol, meta, type, config);
  }

  /**
   * {"cmd":…,"arg":"<Control JSON as a string>"} with eKuiper's field order
   * (docs/portable-protocol.md §3.2).
   */
  private static byte[] command(
      String cmd, String symbol, ObjectNode meta, String type, ObjectNode config)
      throws IOException {
    ObjectNode control = JSON.createObjectNode().put("symbolName", symbol);
    control.set("meta", meta);
    control.put("pluginType", type);
    if (config != null) {
      control.set("config", config);
    }
    ObjectNode envelope =
        JSON.createObjectNode().put("cmd", cmd).put("arg", JSON.writeValueAsString(control));
    return JSON.writeValueAsBytes(envelope);
  }

  /** Listens on a path every checkout shares, waiting while another test run holds it. */
  private static RepSocket listenShared(Path path) {
    return Await.value(
        "no other test run holds " + path,
        Duration.ofSeconds(60),
        () -> {
          try {
            return RepSocket.listen(path);
          } catch (IOException e) {
            if (e.getMessage().startsWith("address in use")) {
              return null;
            }
            throw new UncheckedIOException(e);
          }
        });
  }

  private <T extends AutoCloseable> T own(T socket) {
    sockets.add(0, socket);
    return socket;
  }
}
