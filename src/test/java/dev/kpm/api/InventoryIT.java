package dev.kpm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.Settings;
import dev.kpm.testing.ApiTest;
import dev.kpm.testing.FixtureServer;
import dev.kpm.testing.Probe;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kpm's {@code GET /inventory/{type}} (docs/api.md §8.18) through the real API on PostgreSQL and
 * Tomcat with API tokens on: real plugins installed over HTTP and from files show their row,
 * description, health and compatibility; who installed them is shown to an admin, not to a viewer.
 */
class InventoryIT extends ApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RANDOM_JSON =
      "{\"about\":{\"trial\":false,\"description\":{\"en_US\":\"Random data\","
          + "\"zh_CN\":\"随机数据\"}},\"properties\":{}}";
  private static final String ZH_JSON =
      "{\"about\":{\"description\":{\"zh_CN\":\"只有中文\"}},\"properties\":[]}";
  private static final String COUNTER_JSON =
      "{\"about\":{\"trial\":true,\"description\":{\"en_US\":\"Counts\",\"zh_CN\":\"计数\"}}}";

  private FixtureServer server;
  private String admin;
  private String viewer;

  @Override
  protected Map<Settings.Key, String> settings() {
    return Map.of(Settings.Key.AUTH, "token", Settings.Key.HANDSHAKE_TIMEOUT, "PT20S");
  }

  @BeforeAll
  void setUpTokensAndServer() {
    server = new FixtureServer(fixtures);
    admin = kpm.token("it-admin", "admin");
    viewer = kpm.token("it-viewer", "viewer");
  }

  @AfterAll
  void stopServer2() {
    server.close();
  }

  private Response send(String method, String path, String token, String body) {
    var request = target(path).request();
    if (token != null) {
      request = request.header("Authorization", "Bearer " + token);
    }
    return body == null
        ? request.method(method)
        : request.method(method, Entity.entity(body, MediaType.APPLICATION_JSON));
  }

  private JsonNode inventory(String type, String token) throws Exception {
    Response r = send("GET", "inventory/" + type, token, null);
    String body = r.readEntity(String.class);
    assertEquals(200, r.getStatus(), body);
    assertTrue(r.getMediaType().toString().startsWith("application/json"), r.getMediaType() + "");
    return JSON.readTree(body);
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  private void create(String type, String body) {
    Response r = send("POST", "plugins/" + type, admin, body);
    assertEquals(201, r.getStatus(), r.readEntity(String.class));
  }

  @Test
  void aNativePluginShowsItsRowDescriptionHealthCompatAndItsInstallerToAdminsOnly()
      throws Exception {
    Path zip =
        TestPlugins.zip(
            fixtures.resolve("random.zip"),
            List.of(
                Entry.file("Random@v1.0.0.so", "so"),
                Entry.file("random.yaml", "default:\n  interval: 1000\n"),
                Entry.file("random.json", RANDOM_JSON)));
    String sha = sha256(zip);
    String url = server.url("random.zip");
    Instant before = Instant.now().minusSeconds(5);
    create(
        "sources",
        "{\"name\":\"random\",\"file\":\"" + url + "\",\"sha256\":\"" + sha.toUpperCase() + "\"}");
    Path zh =
        TestPlugins.zip(
            fixtures.resolve("zh.zip"),
            List.of(
                Entry.file("Zh.so", "so"),
                Entry.file("zh.yaml", "default: {}\n"),
                Entry.file("zh.json", ZH_JSON)));
    create("sources", "{\"name\":\"zh\",\"file\":\"" + server.url("zh.zip") + "\"}");
    Path plain =
        TestPlugins.zip(
            fixtures.resolve("plain.zip"),
            List.of(Entry.file("Plain.so", "so"), Entry.file("plain.yaml", "default: {}\n")));
    create("sources", "{\"name\":\"plain\",\"file\":\"file://" + plain + "\"}");

    JsonNode all = inventory("sources", admin);
    assertEquals(3, all.size(), all.toString());
    assertEquals(
        List.of("plain", "random", "zh"),
        List.of(
            all.get(0).get("name").asText(),
            all.get(1).get("name").asText(),
            all.get(2).get("name").asText()),
        "sorted by name");

    JsonNode random = all.get(1);
    assertEquals("v1.0.0", random.get("version").asText(), "raw, with its v: " + random);
    assertEquals("api", random.get("origin").asText());
    assertEquals(url, random.get("sourceUrl").asText());
    assertEquals(sha, random.get("sha256").asText());
    Instant installedAt = Instant.parse(random.get("installedAt").asText());
    assertTrue(installedAt.isAfter(before) && installedAt.isBefore(Instant.now()), random + "");
    assertTrue(random.get("installedAt").asText().endsWith("Z"), "UTC");
    assertFalse(Instant.parse(random.get("updatedAt").asText()).isBefore(installedAt), random + "");
    assertEquals("it-admin", random.get("installedBy").asText());
    assertEquals("Random data", random.get("description").asText());
    assertEquals("ok", random.get("health").asText());
    // The status GET …/compat answers: a text .so is no ELF, so its verdict is unknown (§8.10).
    Response verdict = send("GET", "plugins/sources/random/compat", viewer, null);
    assertEquals(200, verdict.getStatus());
    assertEquals(
        JSON.readTree(verdict.readEntity(String.class)).get("status").asText(),
        random.get("compat").asText());
    assertEquals("unknown", random.get("compat").asText());
    // A fleet of one: this node is live and applied it in the commit that created it.
    assertEquals(
        "{\"live\":1,\"applied\":1,\"pending\":0,\"failed\":0,\"incompatible\":0}",
        random.get("nodes").toString());
    assertEquals(
        List.of(
            "name",
            "version",
            "origin",
            "sourceUrl",
            "sha256",
            "installedAt",
            "updatedAt",
            "installedBy",
            "description",
            "health",
            "compat",
            "nodes"),
        fieldNames(random));

    JsonNode zhRow = all.get(2);
    assertEquals("", zhRow.get("version").asText(), "none in the file name");
    assertEquals("只有中文", zhRow.get("description").asText(), "zh_CN when no en_US");
    assertEquals(sha256(zh), zhRow.get("sha256").asText(), "recorded, though not asked for");

    JsonNode plainRow = all.get(0);
    assertFalse(plainRow.has("description"), "no json, no description: " + plainRow);
    assertTrue(plainRow.get("sourceUrl").asText().startsWith("file://"), plainRow + "");

    // A viewer reads the same, without who installed it.
    JsonNode seen = inventory("sources", viewer);
    assertEquals(3, seen.size());
    for (JsonNode row : seen) {
      assertFalse(row.has("installedBy"), "hidden from a viewer: " + row);
    }
    assertEquals("Random data", seen.get(1).get("description").asText());

    // Each type lists only its own plugins.
    Path other =
        TestPlugins.zip(fixtures.resolve("other.zip"), List.of(Entry.file("Other.so", "so")));
    create("sinks", "{\"name\":\"other\",\"file\":\"file://" + other + "\"}");
    assertEquals(1, inventory("sinks", admin).size());
    assertEquals(0, inventory("functions", admin).size(), "an empty type is []");
    assertEquals("[]", send("GET", "inventory/functions", viewer, null).readEntity(String.class));

    // A file the plugin installed vanished: missing-files, as …/health says.
    Files.delete(kpm.home().resolve("plugins/sources/Plain.so"));
    JsonNode afterDelete = inventory("sources", viewer);
    assertEquals("missing-files", afterDelete.get(0).get("health").asText());
    assertEquals("ok", afterDelete.get(1).get("health").asText());
  }

  private static List<String> fieldNames(JsonNode o) {
    List<String> names = new java.util.ArrayList<>();
    o.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void aPortablePluginShowsTheDescriptionOfItsSymbolsJsonAndNoNativeColumns() throws Exception {
    Path zip =
        TestPlugins.zip(
            fixtures.resolve("probe.zip"),
            List.of(
                Entry.file(
                    "probe.json",
                    "{\"version\":\"v1.0.0\",\"language\":\"go\",\"executable\":\"probe\","
                        + "\"sources\":[\"counter\"],\"sinks\":[\"print\"]}"),
                new Entry("probe", Files.readAllBytes(Probe.binary()), 0100755),
                Entry.file("sources/counter.yaml", "default:\n  interval: 100\n"),
                Entry.file("sources/counter.json", COUNTER_JSON)));
    String sha = sha256(zip);
    try {
      Response r =
          send(
              "POST",
              "plugins/portables",
              admin,
              "{\"name\":\"probe\",\"file\":\""
                  + server.url("probe.zip")
                  + "\",\"sha256\":\""
                  + sha
                  + "\"}");
      assertEquals(201, r.getStatus(), r.readEntity(String.class));
      JsonNode all = inventory("portables", admin);
      assertEquals(1, all.size(), all.toString());
      JsonNode probe = all.get(0);
      assertEquals("probe", probe.get("name").asText());
      assertEquals("v1.0.0", probe.get("version").asText());
      assertEquals(sha, probe.get("sha256").asText());
      assertEquals("Counts", probe.get("description").asText());
      assertEquals("it-admin", probe.get("installedBy").asText());
      assertFalse(probe.has("health"), probe.toString());
      assertFalse(probe.has("compat"), probe.toString());
    } finally {
      send("DELETE", "plugins/portables/probe", admin, null).close();
    }
    assertEquals(0, inventory("portables", viewer).size(), "a deleted plugin is gone");
  }

  @Test
  void aBadTypeIs400InTheErrorShapeAndAnAnonymousCallerIs401() {
    Response bad = send("GET", "inventory/wasm", viewer, null);
    assertEquals(400, bad.getStatus());
    assertEquals(
        "{\"error\":1000,\"message\":\"unknown plugin type wasm: expected sources, sinks,"
            + " functions or portables\"}\n",
        bad.readEntity(String.class));
    assertEquals(404, send("GET", "inventory", viewer, null).getStatus());
    Response anonymous = send("GET", "inventory/sources", null, null);
    assertEquals(401, anonymous.getStatus());
    anonymous.close();
  }
}
