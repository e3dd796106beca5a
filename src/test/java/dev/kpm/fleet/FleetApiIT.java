package dev.kpm.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.Settings;
import dev.kpm.testing.Await;
import dev.kpm.testing.EmbeddedTomcat;
import dev.kpm.testing.FixtureServer;
import dev.kpm.testing.TestDatabase;
import dev.kpm.testing.TestKpm;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The fleet's API (docs/api.md §8.20) over real HTTP on three in-JVM nodes sharing one PostgreSQL,
 * with API tokens, plus one registered node that is down: every node's state of a plugin, {@code
 * ?wait=all} on changes, and asking a node to reconcile. Native plugins only (see
 * FleetConvergenceIT).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FleetApiIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String GHOST = "fleet-ghost";
  private Path dir;
  private TestDatabase.Coordinates db;
  private FixtureServer server;
  private final List<Node> nodes = new ArrayList<>();
  private Node a;
  private Node b;
  private Node c;
  private String admin;
  private String viewer;

  private record Node(String id, TestKpm kpm, EmbeddedTomcat http) implements AutoCloseable {
    @Override
    public void close() {
      http.close();
      kpm.close();
    }
  }

  @BeforeAll
  void startFleet() throws IOException {
    dir = Files.createTempDirectory(Path.of("target"), "fleet-api-").toAbsolutePath();
    db = TestDatabase.fresh();
    server = new FixtureServer(Files.createDirectories(dir.resolve("served")));
    a = node("fleet-a");
    b = node("fleet-b");
    c = node("fleet-c");
    admin = a.kpm().token("api-admin", "admin");
    viewer = a.kpm().token("api-viewer", "viewer");
    // A node that registered once and stopped an hour ago: down.
    a.kpm()
        .sql(
            "INSERT INTO fleet_node (node_id, address, kpm_version, os, arch, home, started_at,"
                + " heartbeat_at) VALUES ('"
                + GHOST
                + "', 'ghost.example', '0', 'Linux', 'amd64', '/nowhere',"
                + " now() - interval '2 hours', now() - interval '1 hour')");
  }

  @AfterAll
  void stopFleet() {
    nodes.forEach(Node::close);
    if (server != null) {
      server.close();
    }
  }

  private Node node(String id) {
    try {
      Path home = Files.createTempDirectory(dir, id + "-home-");
      TestKpm kpm =
          TestKpm.start(
              home,
              db,
              Map.of(
                  Settings.Key.NODE_ID, id,
                  Settings.Key.AUTH, "token",
                  Settings.Key.FLEET_HEARTBEAT, "PT0.5S",
                  Settings.Key.FLEET_DOWN_AFTER, "PT5S",
                  Settings.Key.FLEET_RECONCILE, "PT2S"));
      Node n = new Node(id, kpm, EmbeddedTomcat.start(kpm.runtime()::mount));
      nodes.add(n);
      return n;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode json(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String zip(String name, List<Entry> entries) {
    TestPlugins.zip(dir.resolve("served").resolve(name + ".zip"), entries);
    return "{\"name\":\"" + name + "\",\"file\":\"" + server.url(name + ".zip") + "\"}";
  }

  private String plain(String name) {
    return zip(
        name,
        List.of(
            Entry.file(Character.toUpperCase(name.charAt(0)) + name.substring(1) + ".so", "so")));
  }

  /** Each live node's entry of a wait answer, by node id. */
  private static Map<String, JsonNode> byNode(JsonNode answer) {
    Map<String, JsonNode> out = new java.util.TreeMap<>();
    answer.get("nodes").forEach(n -> out.put(n.get("node").asText(), n));
    return out;
  }

  private static void assertError(HttpResponse<String> r, int status, String contains) {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode body = json(r);
    assertTrue(body.has("error") && body.get("message").asText().contains(contains), r.body());
  }

  // ------------------------------------------------------------------------------- tests

  @Test
  void theNodesEndpointListsEveryNodeAppliedAndCurrentAfterACreateOnA() {
    HttpResponse<String> created = a.http().send("POST", "plugins/sinks", plain("listed"), admin);
    assertEquals(201, created.statusCode(), created.body());
    String sha = a.kpm().sqlString("SELECT sha256 FROM plugin WHERE name = 'listed'");
    JsonNode list =
        Await.value(
            "every live node applied listed",
            Await.LONG,
            () -> {
              JsonNode l = json(b.http().send("GET", "plugins/sinks/listed/nodes", null, viewer));
              for (int i = 0; i < 3; i++) {
                if (!"applied".equals(l.get(i).get("state").asText())) {
                  return null;
                }
              }
              return l;
            });
    assertEquals(4, list.size(), list.toString());
    List<String> ids = new ArrayList<>();
    list.forEach(n -> ids.add(n.get("node").asText()));
    assertEquals(List.of("fleet-a", "fleet-b", "fleet-c", GHOST), ids, "sorted by node id");
    for (int i = 0; i < 3; i++) {
      JsonNode n = list.get(i);
      assertTrue(n.get("live").asBoolean(), n.toString());
      assertEquals(n.get("node").asText().equals("fleet-b"), n.get("self").asBoolean());
      assertTrue(n.get("current").asBoolean(), n.toString());
      assertEquals(sha, n.get("sha256").asText());
      assertTrue(n.get("process").isNull(), "a native plugin has no process: " + n);
      assertFalse(n.get("at").isNull());
    }
    JsonNode ghost = list.get(3);
    assertFalse(ghost.get("live").asBoolean());
    assertEquals("pending", ghost.get("state").asText(), "a down node that never applied it");
    assertFalse(ghost.get("current").asBoolean());
  }

  @Test
  void waitAllOnACreateFailingOnlyOnBAnswers201CompleteWithBFailedAndReconcileRetriesB() {
    String body = zip("picky", FleetFixtures.pickyOnlyFailingOnB());
    HttpResponse<String> created =
        a.http().send("POST", "plugins/sources?wait=all&timeout=PT120S", body, admin);
    assertEquals(201, created.statusCode(), created.body());
    assertTrue(
        created.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    JsonNode answer = json(created);
    assertTrue(answer.get("complete").asBoolean(), answer.toString());
    assertTrue(answer.get("message").asText().contains("picky"), answer.toString());
    Map<String, JsonNode> states = byNode(answer);
    assertEquals(
        List.of("fleet-a", "fleet-b", "fleet-c"),
        List.copyOf(states.keySet()),
        "the live nodes only");
    assertEquals("applied", states.get("fleet-a").get("state").asText());
    assertEquals("applied", states.get("fleet-c").get("state").asText());
    assertEquals("failed", states.get("fleet-b").get("state").asText());
    assertFalse(states.get("fleet-b").get("error").isNull(), answer.toString());

    String where = "FROM node_plugin WHERE node_id = 'fleet-b' AND name = 'picky'";
    String before = a.kpm().sqlString("SELECT at::text " + where);
    long attempts =
        a.kpm()
            .count(
                "SELECT count(*) FROM install_record WHERE node_id = 'fleet-b'"
                    + " AND plugin_name = 'picky'");
    assertTrue(attempts >= 1, "B's failed attempt is recorded");
    HttpResponse<String> asked =
        c.http().send("POST", "fleet/nodes/fleet-b/reconcile", null, admin);
    assertEquals(200, asked.statusCode(), asked.body());
    assertEquals("{\"node\":\"fleet-b\",\"reconcile\":\"requested\"}", asked.body());
    Await.until(
        "B tried picky again: a new install record of its own",
        Await.LONG,
        () ->
            a.kpm()
                    .count(
                        "SELECT count(*) FROM install_record WHERE node_id = 'fleet-b'"
                            + " AND plugin_name = 'picky'")
                > attempts);
    Await.until(
        "B recorded the new attempt's outcome",
        Await.LONG,
        () -> !before.equals(a.kpm().sqlString("SELECT at::text " + where)));
    assertEquals("failed", a.kpm().sqlString("SELECT state " + where), "nothing was fixed");
    assertEquals(
        1,
        a.kpm()
            .count(
                "SELECT count(*) FROM audit_event WHERE action = 'fleet.node.reconcile'"
                    + " AND plugin_name = 'fleet-b' AND status = 200"));
  }

  @Test
  void deleteWithWaitAllReportsEveryLiveNodeRemoved() {
    HttpResponse<String> created =
        b.http().send("POST", "plugins/functions?wait=all&timeout=120", plain("gone"), admin);
    assertEquals(201, created.statusCode(), created.body());
    assertTrue(json(created).get("complete").asBoolean(), created.body());
    byNode(json(created)).values().forEach(n -> assertEquals("applied", n.get("state").asText()));

    HttpResponse<String> dropped =
        c.http().send("DELETE", "plugins/functions/gone?wait=all&timeout=PT2M", null, admin);
    assertEquals(200, dropped.statusCode(), dropped.body());
    JsonNode answer = json(dropped);
    assertTrue(answer.get("complete").asBoolean(), answer.toString());
    assertTrue(answer.get("message").asText().contains("deleted"), answer.toString());
    Map<String, JsonNode> states = byNode(answer);
    assertEquals(3, states.size(), answer.toString());
    states
        .values()
        .forEach(n -> assertEquals("removed", n.get("state").asText(), answer.toString()));
  }

  @Test
  void viewersReadNodesButCannotReconcileAndAnonymousCallersGet401() {
    assertEquals(201, a.http().send("POST", "plugins/sinks", plain("roles"), admin).statusCode());
    assertEquals(200, a.http().send("GET", "plugins/sinks/roles/nodes", null, viewer).statusCode());
    assertEquals(
        403, a.http().send("POST", "fleet/nodes/fleet-b/reconcile", null, viewer).statusCode());
    assertEquals(401, a.http().send("GET", "plugins/sinks/roles/nodes", null, null).statusCode());
    assertEquals(
        401, a.http().send("POST", "fleet/nodes/fleet-b/reconcile", null, null).statusCode());
  }

  @Test
  void badInputsAre400UnknownPluginsAndNodes404AndADownNode409() {
    String body = plain("never");
    assertError(
        a.http().send("POST", "plugins/sinks?wait=some", body, admin), 400, "invalid wait some");
    assertError(
        a.http().send("POST", "plugins/sinks?wait=all&timeout=601", body, admin),
        400,
        "invalid timeout 601");
    assertError(
        a.http().send("POST", "plugins/sinks?wait=all&timeout=soon", body, admin),
        400,
        "invalid timeout soon");
    assertError(
        a.http().send("POST", "plugins/sinks?wait=all&dryRun=true", body, admin),
        400,
        "cannot be combined with dryRun=true");
    assertError(
        a.http().send("DELETE", "plugins/sinks/never?timeout=5", null, admin), 400, "needs wait");
    assertEquals(0, a.kpm().count("SELECT count(*) FROM plugin WHERE name = 'never'"));
    assertError(a.http().send("GET", "plugins/bogus/x/nodes", null, viewer), 400, "bogus");
    assertError(a.http().send("GET", "plugins/sinks/a.b/nodes", null, viewer), 400, "a.b");
    assertError(a.http().send("GET", "plugins/sinks/nowhere/nodes", null, viewer), 404, "nowhere");
    assertError(
        a.http().send("GET", "plugins/portables/nowhere/nodes", null, viewer), 404, "nowhere");
    assertError(a.http().send("POST", "fleet/nodes/nobody/reconcile", null, admin), 404, "nobody");
    assertError(a.http().send("POST", "fleet/nodes/.x/reconcile", null, admin), 400, ".x");
    HttpResponse<String> down =
        a.http().send("POST", "fleet/nodes/" + GHOST + "/reconcile", null, admin);
    assertError(down, 409, "node " + GHOST + " is down: it converges when it starts again");
    assertNotEquals(
        0,
        a.kpm()
            .count(
                "SELECT count(*) FROM audit_event WHERE action = 'fleet.node.reconcile'"
                    + " AND plugin_name = '"
                    + GHOST
                    + "' AND status = 409"),
        "a refusal is audited too");
  }
}
