package dev.kpm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.Settings;
import dev.kpm.testing.ApiTest;
import dev.kpm.testing.FixtureServer;
import dev.kpm.testing.ProbePlugins;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.WebTarget;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * eKuiper's {@code /data/export}, {@code /data/import} and {@code /data/import/status} for the
 * plugin sections (docs/api.md §8.19), on the real stack: PostgreSQL, the real install pipeline, a
 * portable plugin's process, tokens and the audit trail. Each test starts from no plugins (a full
 * import of an empty ruleset, itself the replace rule at work).
 */
class DataImportIT extends ApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EMPTY =
      "{\"streams\":{},\"tables\":{},\"rules\":{},\"nativePlugins\":{},\"portablePlugins\":{},"
          + "\"sourceConfig\":{},\"sinkConfig\":{},\"connectionConfig\":{},\"Service\":{},"
          + "\"Schema\":{},\"uploads\":{},\"scripts\":{}}";
  private static final String NOT_IMPORTED =
      "not imported: kpm imports the plugin sections only (nativePlugins, portablePlugins)";

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
  void stopFixtures() {
    server.close();
  }

  @BeforeEach
  void noPlugins() {
    Response r = importRuleset("", "{}");
    assertEquals(200, r.getStatus(), r.readEntity(String.class));
    assertEquals("[]", read("plugins/sources"));
    assertEquals("[]", read("plugins/sinks"));
    assertEquals("[]", read("plugins/functions"));
    assertEquals("[]", read("plugins/portables"));
  }

  private Response send(String method, String path, String token, String body) {
    WebTarget t = target(path.replaceFirst("\\?.*", ""));
    int q = path.indexOf('?');
    if (q >= 0) {
      for (String kv : path.substring(q + 1).split("&")) {
        String[] p = kv.split("=", 2);
        t = t.queryParam(p[0], p[1]);
      }
    }
    var request = t.request();
    if (token != null) {
      request = request.header("Authorization", "Bearer " + token);
    }
    return body == null
        ? request.method(method)
        : request.method(method, Entity.entity(body, MediaType.APPLICATION_JSON));
  }

  private String read(String path) {
    Response r = send("GET", path, admin, null);
    String body = r.readEntity(String.class);
    assertEquals(200, r.getStatus(), path + ": " + body);
    return body;
  }

  /** {@code POST /data/import<query>} with {@code {"content": ruleset}}. */
  private Response importRuleset(String query, String ruleset) {
    return send("POST", "data/import" + query, admin, json(Map.of("content", ruleset)));
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode tree(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  /** A ruleset of the given sections (in the given order). */
  private static String ruleset(Object... sectionAndMap) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < sectionAndMap.length; i += 2) {
      out.put((String) sectionAndMap[i], sectionAndMap[i + 1]);
    }
    return json(out);
  }

  private static String body(String name, String url) {
    return "{\"name\":\"" + name + "\",\"file\":\"" + url + "\"}";
  }

  /** A native source zip served by the fixture server; answers its URL. */
  private String source(String name, String version) {
    String so = Character.toUpperCase(name.charAt(0)) + name.substring(1) + "@v" + version + ".so";
    String file = name + "-" + version + ".zip";
    TestPlugins.zip(
        fixtures.resolve(file),
        List.of(Entry.file(so, "so " + version), Entry.file(name + ".yaml", "default: {}\n")));
    return server.url(file);
  }

  private String sink(String name) {
    String file = "sink-" + name + ".zip";
    TestPlugins.zip(
        fixtures.resolve(file),
        List.of(
            Entry.file(Character.toUpperCase(name.charAt(0)) + name.substring(1) + ".so", "so")));
    return server.url(file);
  }

  private void create(String type, String body) {
    Response r = send("POST", "plugins/" + type, admin, body);
    assertEquals(201, r.getStatus(), r.readEntity(String.class));
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  private static String ok() {
    return "{\"ErrorMsg\":\"\",\"ConfigResponse\":" + EMPTY + "}";
  }

  /** Every path below the home with the size of each file: what a dry run must not change. */
  private Map<String, Long> disk() {
    Map<String, Long> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(kpm.home())) {
      for (Path p : walk.toList()) {
        if (p.toString().contains("/staging") || p.toString().contains("/tmp")) {
          continue;
        }
        out.put(kpm.home().relativize(p).toString(), Files.isRegularFile(p) ? Files.size(p) : -1);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private String registry() {
    return kpm.sqlString(
        "select coalesce(string_agg(t::text, '|' order by t::text), '') from (select type, name,"
            + " version, state, source_url, sha256, updated_at from plugin) t");
  }

  @Test
  void theExportIsEkuipersRulesetOfTheInstalledPluginsAndReimportsUnchanged() throws Exception {
    TestPlugins.zip(
        fixtures.resolve("random-1.0.0.zip"),
        List.of(
            Entry.file("Random@v1.0.0.so", "so"),
            Entry.file("random.yaml", "default: {}\n"),
            new Entry("install.sh", "#!/bin/sh\nexit 0\n".getBytes(), 0100755)));
    String random = server.url("random-1.0.0.zip");
    create(
        "sources",
        "{\"name\":\"random\",\"file\":\"" + random + "\",\"shellParas\":[\"a\",\"b<c\"]}");
    TestPlugins.zip(fixtures.resolve("echo.zip"), List.of(Entry.file("Echo.so", "so")));
    String echo = server.url("echo.zip");
    create(
        "functions", "{\"name\":\"echo\",\"file\":\"" + echo + "\",\"functions\":[\"e1\",\"e2\"]}");
    Path probeZip = ProbePlugins.zip(fixtures, "probe", "v1.0.0");
    String probeSha = sha256(probeZip);
    String probe = "file://" + probeZip;
    create("portables", body("probe", probe));
    // A plugin kpm cannot re-create from a URL: as if auto-loaded (no recorded URL).
    create("sinks", body("auto", sink("auto")));
    kpm.sql("UPDATE plugin SET source_url = NULL WHERE name = 'auto'");
    String randomSha = sha256(fixtures.resolve("random-1.0.0.zip"));
    String echoSha = sha256(fixtures.resolve("echo.zip"));

    Response r = send("GET", "data/export", admin, null);
    String exported = r.readEntity(String.class);
    assertEquals(200, r.getStatus(), exported);
    assertEquals("application/octet-stream", r.getMediaType().toString());
    assertEquals("Attachment", r.getHeaderString("Content-Disposition"));
    assertEquals("sinks_auto", r.getHeaderString("Kpm-Not-Exported"));
    String expected =
        "{\"streams\":{},\"tables\":{},\"rules\":{},\"nativePlugins\":{"
            + "\"functions_echo\":"
            + json(
                "{\"name\":\"echo\",\"file\":\""
                    + echo
                    + "\",\"functions\":[\"e1\",\"e2\"],\"sha256\":\""
                    + echoSha
                    + "\"}")
            + ",\"sources_random\":"
            + json("{\"name\":\"random\",\"file\":\""
                    + random
                    + "\",\"shellParas\":[\"a\",\"b\\u003cc\"],\"sha256\":\""
                    + randomSha
                    + "\"}")
                .replace("<", "\\u003c")
            + "},\"portablePlugins\":{\"probe\":"
            + json(
                "{\"name\":\"probe\",\"file\":\"" + probe + "\",\"sha256\":\"" + probeSha + "\"}")
            + "},\"sourceConfig\":{},\"sinkConfig\":{},\"connectionConfig\":{},\"Service\":{},"
            + "\"Schema\":{},\"uploads\":{},\"scripts\":{}}";
    assertEquals(expected, exported);

    // Each value is the create body as a JSON string: eKuiper's key and body conventions.
    JsonNode body = tree(tree(exported).get("nativePlugins").get("sources_random").asText());
    assertEquals("random", body.get("name").asText());
    assertEquals("b<c", body.get("shellParas").get(1).asText());

    long records = kpm.count("SELECT count(*) FROM install_record");
    String before = registry();
    Response again = importRuleset("?partial=1", exported);
    assertEquals(200, again.getStatus());
    assertEquals(ok(), again.readEntity(String.class));
    assertEquals(before, registry(), "a re-import of the export changes nothing");
    assertEquals(records, kpm.count("SELECT count(*) FROM install_record"));
    assertEquals(EMPTY, read("data/import/status"));

    // A full re-import keeps what matches and deletes what the file does not list: the auto one.
    Response full = importRuleset("", exported);
    assertEquals(200, full.getStatus());
    assertEquals(ok(), full.readEntity(String.class));
    assertEquals("[]", read("plugins/sinks"));
    assertEquals("[\"random\"]", read("plugins/sources"));
    assertEquals(records, kpm.count("SELECT count(*) FROM install_record"), "nothing reinstalled");
  }

  @Test
  void aFullImportCreatesTheMissingUpdatesTheChangedAndDeletesTheUnlisted() {
    create("sources", body("s1", source("s1", "1.0.0")));
    String s2 = source("s2", "1.0.0");
    create("sources", body("s2", s2));
    create("sources", body("s3", source("s3", "1.0.0")));
    String s1v2 = source("s1", "2.0.0");
    String fresh = sink("fresh");

    Response r =
        importRuleset(
            "",
            ruleset(
                "nativePlugins",
                Map.of(
                    "sources_s1", body("s1", s1v2),
                    "sources_s2", body("s2", s2),
                    "sinks_fresh", body("fresh", fresh))));
    String answer = r.readEntity(String.class);
    assertEquals(200, r.getStatus(), answer);
    assertEquals(ok(), answer);
    assertEquals("[\"s1\",\"s2\"]", read("plugins/sources"));
    assertEquals("[\"fresh\"]", read("plugins/sinks"));
    assertEquals("2.0.0", tree(read("plugins/sources/s1")).get("version").asText());
    assertEquals("1.0.0", tree(read("plugins/sources/s2")).get("version").asText());
    assertFalse(Files.exists(kpm.home().resolve("plugins/sources/S3@v1.0.0.so")));

    // One data.import event for the request, and one per plugin changed, by the same caller.
    String requestId = r.getHeaderString("X-Request-Id");
    assertEquals(
        "data.import|200|it-admin|full: {create=1, delete=1, unchanged=1, update=1}",
        kpm.sqlString(
            "SELECT action || '|' || status || '|' || subject || '|' || detail FROM audit_event"
                + " WHERE request_id = '"
                + requestId
                + "'"));
    assertEquals(
        "plugin.create sinks/fresh,plugin.delete sources/s3,plugin.update sources/s1",
        kpm.sqlString(
            "SELECT string_agg(action || ' ' || plugin_type || '/' || plugin_name, ',' ORDER BY"
                + " action) FROM audit_event WHERE request_id LIKE '"
                + requestId
                + "/%' AND subject = 'it-admin' AND detail = 'data.import'"));
  }

  @Test
  void aPartialImportAddsTheMissingAndKeepsEveryInstalledPlugin() {
    create("sources", body("kept", source("kept", "1.0.0")));
    String v1 = source("differs", "1.0.0");
    create("sources", body("differs", v1));
    // eKuiper's other form: the ruleset read from a URL, here a file.
    Path file =
        TestPlugins.write(
            fixtures.resolve("ruleset.json"),
            ruleset(
                    "nativePlugins",
                    Map.of(
                        "sinks_added", body("added", sink("added")),
                        "sources_differs", body("differs", source("differs", "2.0.0"))))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Response r =
        send("POST", "data/import?partial=1", admin, json(Map.of("file", "file://" + file)));
    assertEquals(200, r.getStatus());
    assertEquals(ok(), r.readEntity(String.class));
    assertEquals("[\"differs\",\"kept\"]", read("plugins/sources"));
    assertEquals("[\"added\"]", read("plugins/sinks"));
    assertEquals(
        "1.0.0",
        tree(read("plugins/sources/differs")).get("version").asText(),
        "a partial import installs what is missing only, as eKuiper's");
  }

  @Test
  void aFailingItemIsInTheStatusWhileTheOthersSucceedAndRulesAreReportedNotImported() {
    String good = sink("good");
    String missing = server.url("missing.zip");
    Response r =
        importRuleset(
            "",
            ruleset(
                "rules",
                Map.of("r1", "{\"id\":\"r1\",\"sql\":\"SELECT * FROM demo\"}"),
                "nativePlugins",
                Map.of("sinks_good", body("good", good), "sinks_bad", body("bad", missing))));
    String answer = r.readEntity(String.class);
    assertEquals(400, r.getStatus(), answer);
    JsonNode error = tree(answer);
    assertEquals(1000, error.get("error").asInt());
    JsonNode sections = tree(error.get("message").asText());
    assertEquals(
        "sinks plugins create command error: fail to download file "
            + missing
            + ": cannot download the file with status: 404 Not Found",
        sections.get("nativePlugins").get("sinks_bad").asText());
    assertFalse(sections.get("nativePlugins").has("sinks_good"));
    assertEquals(NOT_IMPORTED, sections.get("rules").get("r1").asText());
    assertEquals(12, sections.size());
    assertEquals("[\"good\"]", read("plugins/sinks"), "the other item was installed");

    // The status is the same per-section map.
    assertEquals(error.get("message").asText(), read("data/import/status"));
  }

  @Test
  void aDryRunListsThePlanAndChangesNothing() {
    create("sources", body("s1", source("s1", "1.0.0")));
    create("sources", body("gone", source("gone", "1.0.0")));
    String s1v2 = source("s1", "2.0.0");
    String fresh = sink("fresh");
    Map<String, Long> disk = disk();
    String registry = registry();
    String status = read("data/import/status");

    Response r =
        importRuleset(
            "?dryRun=true",
            ruleset(
                "nativePlugins",
                Map.of("sources_s1", body("s1", s1v2), "sinks_fresh", body("fresh", fresh)),
                "streams",
                Map.of("demo", "CREATE STREAM demo () WITH (DATASOURCE=\"x\")")));
    String answer = r.readEntity(String.class);
    assertEquals(200, r.getStatus(), answer);
    JsonNode plan = tree(answer);
    assertTrue(plan.get("dryRun").asBoolean());
    assertFalse(plan.get("partial").asBoolean());
    JsonNode items = plan.get("items");
    assertEquals(3, items.size(), answer);
    assertEquals(
        "delete sources_gone",
        items.get(0).get("action").asText() + " " + items.get(0).get("key").asText());
    assertEquals(
        "update sources_s1",
        items.get(1).get("action").asText() + " " + items.get(1).get("key").asText());
    assertEquals(
        "create sinks_fresh",
        items.get(2).get("action").asText() + " " + items.get(2).get("key").asText());
    assertEquals("v2.0.0", items.get(1).get("plan").get("versionAfter").asText(), answer);
    assertEquals("delete", items.get(0).get("plan").get("action").asText());
    assertEquals("[\"demo\"]", plan.get("notImported").get("streams").toString());
    assertEquals(disk, disk(), "nothing on disk changed");
    assertEquals(registry, registry(), "nothing in the registry changed");
    assertEquals(status, read("data/import/status"), "the status is the last real import's");
    assertEquals(
        "plugin.dry-run",
        kpm.sqlString(
            "SELECT action FROM audit_event WHERE request_id = '"
                + r.getHeaderString("X-Request-Id")
                + "'"));
  }

  @Test
  void aMalformedRulesetIs400WithEkuipersTextAndChangesNothing() {
    create("sources", body("s1", source("s1", "1.0.0")));
    String registry = registry();
    String good = sink("good");

    Response r = importRuleset("", "{\"nativePlugins\":");
    assertEquals(400, r.getStatus());
    assertEquals(
        "{\"error\":1000,\"message\":\"configuration unmarshal with error unexpected end of JSON"
            + " input\"}\n",
        r.readEntity(String.class));
    r = importRuleset("", "{\"nativePlugins\":[]}");
    assertEquals(
        "configuration unmarshal with error json: cannot unmarshal array into Go struct field"
            + " Configuration.nativePlugins of type map[string]string",
        tree(r.readEntity(String.class)).get("message").asText());

    // One bad entry: nothing is applied, not even the good one, and nothing is deleted.
    r =
        importRuleset(
            "",
            ruleset(
                "nativePlugins",
                Map.of(
                    "sinks_good", body("good", good),
                    "sinks_bad", "{\"name\":",
                    "wasm_x", body("x", good))));
    String answer = r.readEntity(String.class);
    assertEquals(400, r.getStatus(), answer);
    JsonNode sections = tree(tree(answer).get("message").asText());
    assertEquals(
        "Invalid body: Error decoding the sinks plugin json: unexpected EOF",
        sections.get("nativePlugins").get("sinks_bad").asText());
    assertEquals(
        "invalid key wasm_x: expected sources_<name>, sinks_<name> or functions_<name>",
        sections.get("nativePlugins").get("wasm_x").asText());
    assertNull(sections.get("nativePlugins").get("sinks_good"));
    assertEquals(registry, registry(), "nothing changed");
    assertEquals("[]", read("plugins/sinks"));

    r = send("POST", "data/import", admin, "{\"content\":\"{}\",\"file\":\"file:///tmp/a.json\"}");
    assertEquals(
        "Invalid body: Cannot specify both content and file",
        tree(r.readEntity(String.class)).get("message").asText());
    r = send("POST", "data/import", admin, "{\"file\":\"" + server.url("none.json") + "\"}");
    assertEquals(400, r.getStatus());
    assertEquals(
        "cannot download the file with status: 404 Not Found",
        tree(r.readEntity(String.class)).get("message").asText());
    r = send("POST", "data/import", admin, "{}");
    assertEquals(
        "Invalid body: must specify content or file",
        tree(r.readEntity(String.class)).get("message").asText());
    r = send("POST", "data/import", admin, "[");
    assertEquals(400, r.getStatus());
    assertEquals(
        "Invalid body: Error decoding json: unexpected EOF",
        tree(r.readEntity(String.class)).get("message").asText());
    assertEquals(registry, registry(), "nothing changed");
  }

  @Test
  void onlyAdminsExportImportAndReadTheStatus() {
    for (String[] call :
        new String[][] {
          // The audited one first: an anonymous refusal's row carries its minute's first request.
          {"POST", "data/import", "{\"content\":\"{}\"}"},
          {"GET", "data/export", null},
          {"GET", "data/import/status", null}
        }) {
      Response r = send(call[0], call[1], viewer, call[2]);
      assertEquals(403, r.getStatus(), call[1]);
      assertTrue(r.readEntity(String.class).contains("needs the admin role"), call[1]);
      Response anonymous = send(call[0], call[1], null, call[2]);
      assertEquals(401, anonymous.getStatus(), call[1]);
      anonymous.close();
    }
    // Anonymous refusals are counted per client and minute; reading the trail writes the counts.
    assertEquals(200, send("GET", "audit", admin, null).getStatus());
  }
}
