package dev.kpm.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.Settings;
import dev.kpm.testing.ApiTest;
import dev.kpm.testing.Await;
import dev.kpm.testing.Http;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.Response;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fleet's nodes over real HTTP on a kpm with API tokens and a fast heartbeat: this node is
 * listed live and as itself; a second node registered on the same database from another pool is
 * live, then down once it stops heartbeating (by the database's clock); forgetting it is refused
 * while it is live or for this node, works once it is down (its per-plugin rows cascade, one audit
 * event); bad ids are 400, unknown ones 404; viewers read, only admins forget, anonymous callers
 * get 401. A heartbeat that fails is logged once per outage and kpm carries on.
 */
class FleetNodesIT extends ApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SELF = "fleet-self";

  private String admin;
  private String viewer;
  private FleetDb other;

  @Override
  protected Map<Settings.Key, String> settings() {
    return Map.of(
        Settings.Key.AUTH, "token",
        Settings.Key.NODE_ID, SELF,
        Settings.Key.NODE_ADDRESS, "kpm-self.example:9081",
        Settings.Key.FLEET_HEARTBEAT, "PT0.2S",
        Settings.Key.FLEET_DOWN_AFTER, "PT3S",
        // Reached only by an install that stores its archive before extracting it: never alone.
        Settings.Key.TEST_PAUSE_AT, "stored:lone");
  }

  @BeforeAll
  void tokensAndASecondPool() {
    admin = kpm.token("fleet-admin", "admin");
    viewer = kpm.token("fleet-viewer", "viewer");
    other = new FleetDb(kpm.db());
  }

  @AfterAll
  void closeSecondPool() throws Exception {
    other.close();
  }

  private Invocation.Builder as(String credential, String path) {
    Invocation.Builder b = target(path).request();
    return credential == null ? b : b.header("Authorization", "Bearer " + credential);
  }

  private static JsonNode json(Response r) {
    try {
      return JSON.readTree(r.readEntity(String.class));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private JsonNode node(String id) {
    Response r = as(viewer, "fleet/nodes/" + id).get();
    assertEquals(200, r.getStatus());
    assertEquals("application/json", r.getMediaType().toString());
    return json(r);
  }

  private static void assertError(Response r, int status, int code, String message) {
    assertEquals(status, r.getStatus());
    assertEquals("application/json", r.getMediaType().toString());
    JsonNode body = json(r);
    assertEquals(code, body.get("error").asInt(), body.toString());
    assertEquals(message, body.get("message").asText());
  }

  // ------------------------------------------------------------------------------- tests

  @Test
  void thisNodeIsListedLiveAsItselfWithItsOsArchAndAddress() {
    Response r = as(viewer, "fleet/nodes").get();
    assertEquals(200, r.getStatus());
    JsonNode list = json(r);
    assertTrue(list.isArray());
    JsonNode self = null;
    for (JsonNode n : list) {
      if (n.get("id").asText().equals(SELF)) {
        self = n;
      }
    }
    assertTrue(self != null, "this node is listed: " + list);
    assertTrue(self.get("live").asBoolean(), self.toString());
    assertTrue(self.get("self").asBoolean());
    assertEquals(System.getProperty("os.name"), self.get("os").asText());
    assertEquals(System.getProperty("os.arch"), self.get("arch").asText());
    assertEquals("kpm-self.example:9081", self.get("address").asText());
    assertEquals(kpm.home().toString(), self.get("home").asText());
    assertFalse(self.get("version").asText().isEmpty());
    assertTrue(self.get("engine").isNull(), "no kpm.engine.binary: no engine");
    assertEquals(0, self.get("pending").asLong());
    assertEquals(node(SELF).get("startedAt"), self.get("startedAt"));
    // The heartbeat moves on, by the database's clock.
    Instant first = Instant.parse(self.get("heartbeatAt").asText());
    Await.until(
        "the heartbeat of this node advances",
        () -> Instant.parse(node(SELF).get("heartbeatAt").asText()).isAfter(first));
    assertEquals(
        1,
        kpm.count(
            "SELECT count(*) FROM fleet_node WHERE node_id = '"
                + SELF
                + "' AND heartbeat_at <= clock_timestamp() AND started_at <= heartbeat_at"));
  }

  @Test
  void aSecondNodeIsLiveThenDownAndOnlyThenCanBeForgottenWithItsPluginStates() {
    NodeDirectory directory = new NodeDirectory(other.tx, null, SELF, Duration.ofSeconds(3));
    assertFalse(directory.othersLive(), "this node is alone");
    NodeRegistry second =
        NodeRegistry.start(
            other.tx,
            new NodeInfo(
                "fleet-other",
                "kpm-other.example:9081",
                "0.9.0",
                "Linux",
                "arm64",
                Map.of("path", "/usr/local/bin/kuiperd", "goVersion", "go1.22.1"),
                "/srv/other-home"),
            Duration.ofMillis(200));
    try {
      JsonNode live = node("fleet-other");
      assertTrue(live.get("live").asBoolean());
      assertTrue(directory.othersLive(), "another node heartbeats");
      assertFalse(live.get("self").asBoolean());
      assertEquals("arm64", live.get("arch").asText());
      assertEquals("0.9.0", live.get("version").asText());
      assertEquals("go1.22.1", live.get("engine").get("goVersion").asText());
      // Three plugins the fleet wants; the other node failed one, found one incompatible and has
      // not got to the third: pending is what it has not dealt with at the current digest.
      String a = "a".repeat(64);
      String b = "b".repeat(64);
      String c = "c".repeat(64);
      kpm.sql(
          "INSERT INTO plugin (type, name, state, sha256) VALUES ('sources', 'a', 'INSTALLED', '"
              + a
              + "'), ('sinks', 'b', 'INSTALLED', '"
              + b
              + "'), ('functions', 'c', 'INSTALLED', '"
              + c
              + "')",
          "INSERT INTO node_plugin (node_id, plugin_type, name, state, sha256, error) VALUES"
              + " ('fleet-other', 'sources', 'a', 'failed', '"
              + a
              + "', 'exit status 1'),"
              + " ('fleet-other', 'sinks', 'b', 'applied', '"
              + "d".repeat(64)
              + "', NULL),"
              + " ('fleet-other', 'functions', 'c', 'incompatible', '"
              + c
              + "', 'built for amd64')");
      JsonNode counted = node("fleet-other");
      assertEquals(1, counted.get("pending").asLong());
      assertEquals(1, counted.get("failed").asLong());
      assertEquals(1, counted.get("incompatible").asLong());

      Response refused = as(admin, "fleet/nodes/fleet-other").delete();
      assertEquals(409, refused.getStatus());
      String message = json(refused).get("message").asText();
      assertTrue(
          message.startsWith("fleet node fleet-other is live (last heartbeat ")
              && message.endsWith(
                  "): it would register again with its next heartbeat; stop it" + " first"),
          message);
    } finally {
      second.close();
    }
    Await.until(
        "the stopped node turns down after kpm.fleet.downAfter",
        Duration.ofSeconds(30),
        () -> !node("fleet-other").get("live").asBoolean());
    assertFalse(directory.othersLive(), "the other node is down");

    assertEquals(403, as(viewer, "fleet/nodes/fleet-other").delete().getStatus());
    Response forgotten = as(admin, "fleet/nodes/fleet-other").delete();
    assertEquals(200, forgotten.getStatus());
    JsonNode body = json(forgotten);
    assertEquals("fleet-other", body.get("id").asText());
    assertFalse(body.get("live").asBoolean());
    assertEquals(1, body.get("failed").asLong());
    assertError(
        as(viewer, "fleet/nodes/fleet-other").get(), 404, 1002, "fleet node fleet-other not found");
    assertEquals(0, kpm.count("SELECT count(*) FROM node_plugin WHERE node_id = 'fleet-other'"));
    assertEquals(
        1,
        kpm.count(
            "SELECT count(*) FROM audit_event WHERE action = 'fleet.node.forget' AND outcome ="
                + " 'ok' AND status = 200 AND plugin_type = 'fleet' AND plugin_name ="
                + " 'fleet-other' AND subject = 'fleet-admin' AND detail LIKE 'node fleet-other"
                + " at kpm-other.example:9081, last heartbeat %, 3 plugin(s) pending, failed or"
                + " incompatible'"));
    assertEquals(
        1,
        kpm.count(
            "SELECT count(*) FROM audit_event WHERE action = 'fleet.node.forget' AND outcome ="
                + " 'failed' AND status = 409 AND plugin_name = 'fleet-other'"),
        "the refusal while it was live is recorded too");
    // The rows arranged above are no plugin this node could install: they go again.
    kpm.sql("DELETE FROM plugin WHERE name IN ('a', 'b', 'c') AND origin = 'API'");
  }

  @Test
  void aLoneNodeExtractsALargeArchiveWhileItIsStoredNotAfter() throws Exception {
    // With no other node live nobody stages it ahead: storing it first would only delay the
    // install (the pause point "stored" is reached only on that path, and would hold it).
    java.nio.file.Path zip = fixtures.resolve("lone.zip");
    dev.kpm.testing.TestPlugins.zip(
        zip,
        List.of(
            dev.kpm.testing.TestPlugins.Entry.random("Lone.so", 2 << 20),
            dev.kpm.testing.TestPlugins.Entry.file("lone.yaml", "v: 1\n")));
    Response created =
        as(admin, "plugins/sources")
            // Held at the pause point, it would answer only after Pauses.LIMIT (10 minutes).
            .property(org.glassfish.jersey.client.ClientProperties.READ_TIMEOUT, 60_000)
            .post(
                jakarta.ws.rs.client.Entity.json(
                    "{\"name\":\"lone\",\"file\":\"" + zip.toUri() + "\"}"));
    assertEquals(201, created.getStatus(), created.readEntity(String.class));
    assertEquals(
        1,
        kpm.count(
            "SELECT count(*) FROM artifact a JOIN plugin p ON p.sha256 = a.sha256"
                + " WHERE p.name = 'lone' AND a.complete AND a.size > 2000000"));
    // Gone again: the other tests count what the fleet wants.
    assertEquals(200, as(admin, "plugins/sources/lone").delete().getStatus());
  }

  @Test
  void thisNodeCannotForgetItself() {
    assertError(
        as(admin, "fleet/nodes/" + SELF).delete(),
        409,
        1000,
        "fleet node "
            + SELF
            + " is this node: it registers again with its next heartbeat; forget it from another"
            + " node once it is stopped");
    assertTrue(node(SELF).get("live").asBoolean());
  }

  @Test
  void badIdsAre400AndUnknownOnes404InTheErrorShape() {
    String rule = ": 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit";
    assertError(
        as(viewer, "fleet/nodes/-dash").get(), 400, 1000, "invalid fleet node id -dash" + rule);
    String longId = "a".repeat(129);
    assertError(
        as(admin, "fleet/nodes/" + longId).delete(),
        400,
        1000,
        "invalid fleet node id " + "a".repeat(40) + "…" + rule);
    assertError(as(viewer, "fleet/nodes/nobody").get(), 404, 1002, "fleet node nobody not found");
    assertError(as(admin, "fleet/nodes/nobody").delete(), 404, 1002, "fleet node nobody not found");
  }

  @Test
  void anonymousCallersGet401AndViewersCannotForget() {
    assertEquals(401, as(null, "fleet/nodes").get().getStatus());
    assertEquals(401, as(null, "fleet/nodes/" + SELF).get().getStatus());
    // Anonymous refusals are counted per client and minute (docs/api.md §12.1), not one event per
    // request: sent past the per-request audit check.
    assertEquals(
        401,
        Http.send(HttpRequest.newBuilder(getBaseUri().resolve("fleet/nodes/" + SELF)).DELETE())
            .statusCode());
    assertEquals(403, as(viewer, "fleet/nodes/nobody").delete().getStatus());
    assertEquals(200, as(admin, "fleet/nodes").get().getStatus());
  }

  @Test
  void aFailingHeartbeatIsLoggedOncePerOutageAndTheNodeCarriesOn() throws Exception {
    List<LogRecord> records = new ArrayList<>();
    Handler handler =
        new Handler() {
          @Override
          public synchronized void publish(LogRecord r) {
            records.add(r);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger logger = Logger.getLogger(NodeRegistry.class.getName());
    logger.addHandler(handler);
    try (FleetDb own = new FleetDb()) {
      // A long heartbeat period: the test drives the beats itself.
      NodeRegistry registry =
          NodeRegistry.start(
              own.tx,
              NodeInfo.ofThisJvm("beat-node", "beat.example", "1", null, "/h"),
              Duration.ofHours(1));
      try {
        assertEquals(1, own.count("SELECT count(*) FROM fleet_node WHERE node_id = 'beat-node'"));
        own.sql("ALTER TABLE fleet_node RENAME TO fleet_node_away");
        registry.beat();
        registry.beat();
        registry.beat();
        synchronized (handler) {
          assertEquals(
              1,
              records.stream().filter(r -> r.getLevel() == Level.WARNING).count(),
              "one warning for three failed heartbeats");
        }
        own.sql("ALTER TABLE fleet_node_away RENAME TO fleet_node");
        own.sql("UPDATE fleet_node SET heartbeat_at = now() - interval '1 hour'");
        registry.beat();
        assertEquals(
            1,
            own.count(
                "SELECT count(*) FROM fleet_node WHERE node_id = 'beat-node' AND heartbeat_at >"
                    + " now() - interval '1 minute'"));
        own.sql("DELETE FROM fleet_node");
        registry.beat();
        assertEquals(
            1,
            own.count("SELECT count(*) FROM fleet_node WHERE node_id = 'beat-node'"),
            "a forgotten node that still runs registers again");
        synchronized (handler) {
          assertTrue(
              records.stream().anyMatch(r -> r.getMessage().contains("is written again")),
              "the end of the outage is logged");
          assertEquals(1, records.stream().filter(r -> r.getLevel() == Level.WARNING).count());
        }
      } finally {
        registry.close();
      }
    } finally {
      logger.removeHandler(handler);
    }
  }
}
