package dev.kpm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.junit.jupiter.api.Test;

/**
 * The metadata a plugin ships, through the real API on PostgreSQL and Tomcat: a native source's
 * {@code random.json} and a portable plugin's per-symbol json are served as installed by kpm's
 * {@code …/meta} and in eKuiper's {@code /metadata} shapes, and disappear with the plugin.
 */
class MetadataIT extends ApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RANDOM_JSON =
      "{\"about\":{\"trial\":false,\"author\":{\"name\":\"EMQ\",\"email\":\"contact@emqx.io\","
          + "\"company\":\"EMQ Technologies Co., Ltd\",\"website\":\"https://www.emqx.io\"},"
          + "\"helpUrl\":{\"en_US\":\"https://e/en/random.html\",\"zh_CN\":\"https://e/zh/random.html\"},"
          + "\"description\":{\"en_US\":\"Random data\",\"zh_CN\":\"随机数据\"}},"
          + "\"libs\":[],\"properties\":{\"default\":[{\"name\":\"interval\",\"default\":1000,"
          + "\"optional\":false,\"control\":\"text\",\"type\":\"int\","
          + "\"hint\":{\"en_US\":\"Interval\",\"zh_CN\":\"间隔\"},"
          + "\"label\":{\"en_US\":\"Interval\",\"zh_CN\":\"间隔\"}}]}}\n";
  private static final String COUNTER_JSON =
      "{\"about\":{\"trial\":true,\"description\":{\"en_US\":\"Counts\",\"zh_CN\":\"计数\"}},"
          + "\"properties\":{\"default\":[{\"name\":\"interval\",\"default\":100,\"type\":\"int\"}]}}";
  private static final String ECHO_JSON =
      "{\"about\":{\"trial\":true},\"functions\":[{\"name\":\"echo\",\"example\":\"echo(a)\"}]}";

  @Override
  protected Map<Settings.Key, String> settings() {
    return Map.of(Settings.Key.HANDSHAKE_TIMEOUT, "PT20S");
  }

  private Response send(String method, String path, String body) {
    return body == null
        ? target(path).request().method(method)
        : target(path).request().method(method, Entity.entity(body, MediaType.APPLICATION_JSON));
  }

  private String get(String path, int status) {
    Response r = target(path).request().get();
    String body = r.readEntity(String.class);
    assertEquals(status, r.getStatus(), path + " answered " + body);
    return body;
  }

  private Path nativeZip(String file, List<Entry> entries) {
    return TestPlugins.zip(fixtures.resolve(file), entries);
  }

  private Path portableZip() throws Exception {
    return TestPlugins.zip(
        fixtures.resolve("probe.zip"),
        List.of(
            Entry.file(
                "probe.json",
                "{\"version\":\"v1.0.0\",\"language\":\"go\",\"executable\":\"probe\","
                    + "\"sources\":[\"counter\"],\"sinks\":[\"print\"],\"functions\":[\"echo\"]}"),
            new Entry("probe", Files.readAllBytes(Probe.binary()), 0100755),
            Entry.file("sources/counter.yaml", "default:\n  interval: 100\n"),
            Entry.file("sources/counter.json", COUNTER_JSON),
            Entry.file("functions/echo.json", ECHO_JSON)));
  }

  @Test
  void aNativeAndAPortablePluginsMetadataIsServedAsInstalledAndInEkuipersCatalogue()
      throws Exception {
    Path random =
        nativeZip(
            "random.zip",
            List.of(
                Entry.file("Random.so", "so"),
                Entry.file("random.yaml", "default:\n  interval: 1000\n"),
                Entry.file("random.json", RANDOM_JSON)));
    assertEquals(
        201,
        send("POST", "plugins/sources", "{\"name\":\"random\",\"file\":\"file://" + random + "\"}")
            .getStatus());
    Path plain = nativeZip("plain.zip", List.of(Entry.file("Plain.so", "so")));
    assertEquals(
        201,
        send("POST", "plugins/sinks", "{\"name\":\"plain\",\"file\":\"file://" + plain + "\"}")
            .getStatus());
    assertEquals(
        201,
        send(
                "POST",
                "plugins/portables",
                "{\"name\":\"probe\",\"file\":\"file://" + portableZip() + "\"}")
            .getStatus());

    // kpm's own: the files as installed.
    assertEquals(RANDOM_JSON, get("plugins/sources/random/meta", 200));
    assertEquals(
        "{\"error\":1002,\"message\":\"metadata of sinks plugin plain error: the plugin shipped"
            + " no metadata (plain.json)\"}\n",
        get("plugins/sinks/plain/meta", 404));
    assertEquals(
        "{\"sources\":{\"counter\":"
            + COUNTER_JSON
            + "},\"sinks\":{\"print\":null},"
            + "\"functions\":{\"echo\":"
            + ECHO_JSON
            + "}}",
        get("plugins/portables/probe/meta", 200));

    // eKuiper's catalogue: the native plugin by name, the portable by symbol.
    JsonNode sources = JSON.readTree(get("metadata/sources", 200));
    assertEquals(2, sources.size(), sources.toString());
    assertEquals("counter", sources.get(0).get("name").asText());
    assertEquals("portable", sources.get(0).get("type").asText());
    assertEquals("计数", sources.get(0).get("about").get("description").get("zh").asText());
    assertEquals("random", sources.get(1).get("name").asText());
    assertEquals("native", sources.get(1).get("type").asText());
    assertTrue(sources.get(1).get("about").get("installed").asBoolean());
    assertEquals(
        "https://e/en/random.html", sources.get(1).get("about").get("helpUrl").get("en").asText());

    JsonNode form = JSON.readTree(get("metadata/sources/random", 200));
    JsonNode interval = form.get("properties").get("default").get(0);
    assertEquals("interval", interval.get("name").asText());
    assertEquals(1000, interval.get("default").asInt());
    assertFalse(interval.get("exist").asBoolean());
    assertEquals("间隔", interval.get("label").get("zh").asText());
    assertEquals("native", form.get("type").asText());
    assertEquals(
        "portable", JSON.readTree(get("metadata/sources/counter", 200)).get("type").asText());

    assertEquals("[]", get("metadata/sinks", 200));
    assertEquals("[" + ECHO_JSON + "]", get("metadata/functions", 200));
    assertEquals(
        "{\"error\":5000,\"message\":\"This plugin was not found:plain\"}\n",
        get("metadata/sinks/plain", 400));

    // Gone with the plugin.
    assertEquals(200, send("DELETE", "plugins/sources/random", null).getStatus());
    assertEquals(
        "{\"error\":1002,\"message\":\"metadata of sources plugin random error: not found\"}\n",
        get("plugins/sources/random/meta", 404));
    assertEquals(1, JSON.readTree(get("metadata/sources", 200)).size());
    assertEquals(
        "{\"error\":5000,\"message\":\"This plugin was not found:random\"}\n",
        get("metadata/sources/random", 400));
    assertEquals(200, send("DELETE", "plugins/portables/probe", null).getStatus());
    assertEquals("[]", get("metadata/sources", 200));
    assertEquals("[]", get("metadata/functions", 200));
    assertEquals(200, send("DELETE", "plugins/sinks/plain", null).getStatus());
  }

  @Test
  void aMetadataFileOverOneMebibyteIsRefusedAndLeftOutOfTheCatalogue() {
    Path big =
        nativeZip(
            "big.zip",
            List.of(
                Entry.file("Big.so", "so"),
                Entry.file("big.yaml", "default: {}\n"),
                // stored: spaces deflated would pass kpm's compression-ratio cap
                Entry.stored("big.json", "{\"about\":{}," + " ".repeat(1024 * 1024) + "}")));
    assertEquals(
        201,
        send("POST", "plugins/sources", "{\"name\":\"big\",\"file\":\"file://" + big + "\"}")
            .getStatus());
    assertEquals(
        "{\"error\":1000,\"message\":\"metadata of sources plugin big error: etc/sources/big.json"
            + " is larger than 1048576 bytes\"}\n",
        get("plugins/sources/big/meta", 400));
    assertFalse(get("metadata/sources", 200).contains("\"big\""));
    assertEquals(200, send("DELETE", "plugins/sources/big", null).getStatus());
  }
}
