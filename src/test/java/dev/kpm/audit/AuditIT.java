package dev.kpm.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.Settings;
import dev.kpm.testing.ApiTest;
import dev.kpm.testing.FixtureServer;
import dev.kpm.testing.Http;
import dev.kpm.testing.TestPlugins;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The audit trail over the real API, on PostgreSQL (docs/api.md §12): who changed what, refusals,
 * the aggregation of anonymous refusals, the append-only trigger, the hash chain's verification
 * after tampering, paging, filters and the CSV export ({@link AuditRetentionIT}: the purge).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditIT extends ApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private FixtureServer server;
  private String admin;
  private String viewer;

  @Override
  protected Map<Settings.Key, String> settings() {
    return Map.of(Settings.Key.AUTH, "token", Settings.Key.NODE_ID, "audit-node-1");
  }

  @BeforeAll
  void prepare() throws IOException {
    server = new FixtureServer(fixtures);
    admin = Files.readString(kpm.home().resolve("etc/initial-admin-token")).strip();
    JsonNode created =
        json(
            as(admin, "auth/tokens")
                .post(Entity.json("{\"name\":\"watcher\",\"role\":\"viewer\"}")));
    viewer = created.get("token").asText();
  }

  @AfterAll
  void stopFixtureServer() {
    server.close();
  }

  private Invocation.Builder as(String token, String path) {
    return target(path).request().header("Authorization", "Bearer " + token);
  }

  private static JsonNode json(Response r) {
    String body = r.readEntity(String.class);
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new AssertionError("not JSON (" + r.getStatus() + "): " + body, e);
    }
  }

  /** The one event of a request, by the id kpm answered. */
  private JsonNode eventOf(Response r) {
    String id = r.getHeaderString("X-Request-Id");
    JsonNode events = json(audit("audit", "requestId", id)).get("events");
    assertEquals(1, events.size(), "events of request " + id + ": " + events);
    return events.get(0);
  }

  /** GET of an audit path as admin, with query parameters given as name, value, name, value… */
  private Response audit(String path, String... params) {
    jakarta.ws.rs.client.WebTarget t = target(path);
    for (int i = 0; i < params.length; i += 2) {
      t = t.queryParam(params[i], params[i + 1]);
    }
    return t.request().header("Authorization", "Bearer " + admin).get();
  }

  private JsonNode verify() {
    Response r = as(admin, "audit/verify").get();
    assertEquals(200, r.getStatus());
    return json(r);
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  private void sqlAsOwner(String... statements) {
    kpm.sql(statements);
  }

  @Test
  @Order(1)
  void aCreateUpdateAndDeleteAreRecordedWithThePrincipalSourceShaAndVersions() throws Exception {
    Path v1 = TestPlugins.zip("sink-lowercase-so", fixtures);
    Path v2 = TestPlugins.zip("sink-v2", fixtures);
    String plain = server.url("sink-lowercase-so.zip");
    String secret = plain.replace("http://", "http://ops:s3cret@");
    Response refused =
        as(admin, "plugins/sinks")
            .post(Entity.json("{\"name\":\"file2\",\"file\":\"" + secret + "\"}"));
    assertEquals(400, refused.getStatus());
    JsonNode f = eventOf(refused);
    assertEquals(plain, f.get("sourceUrl").asText(), "the user name and password are not kept");
    assertTrue(f.get("error").asText().contains(plain), f.get("error").asText());
    assertFalse(f.toString().contains("s3cret"), "nor repeated in the error text: " + f);
    Response created =
        as(admin, "plugins/sinks")
            .post(Entity.json("{\"name\":\"file2\",\"file\":\"" + plain + "\"}"));
    assertEquals(201, created.getStatus(), created.readEntity(String.class));
    JsonNode e = eventOf(created);
    assertEquals("initial-admin", e.get("subject").asText());
    assertEquals("token", e.get("method").asText());
    assertEquals("127.0.0.1", e.get("client").asText());
    assertEquals("audit-node-1", e.get("node").asText());
    assertEquals("plugin.create", e.get("action").asText());
    assertEquals("sinks", e.get("type").asText());
    assertEquals("file2", e.get("name").asText());
    assertEquals("ok", e.get("outcome").asText());
    assertEquals(201, e.get("status").asInt());
    assertEquals(sha256(v1), e.get("sha256").asText());
    assertEquals(plain, e.get("sourceUrl").asText());
    assertTrue(e.get("durationMs").asLong() >= 0);

    Response updated =
        as(admin, "plugins/sinks/file2").put(Entity.json("{\"file\":\"file://" + v2 + "\"}"));
    assertEquals(200, updated.getStatus(), updated.readEntity(String.class));
    JsonNode u = eventOf(updated);
    assertEquals("plugin.update", u.get("action").asText());
    assertEquals("", u.get("versionBefore").asText());
    assertEquals("v2.0.0", u.get("versionAfter").asText());
    assertEquals(sha256(v2), u.get("sha256").asText());

    Response dropped = as(admin, "plugins/sinks/file2").delete();
    assertEquals(200, dropped.getStatus());
    JsonNode d = eventOf(dropped);
    assertEquals("plugin.delete", d.get("action").asText());
    assertEquals("v2.0.0", d.get("versionBefore").asText());
    assertEquals(200, d.get("status").asInt());
  }

  @Test
  @Order(2)
  void aFailedInstallIsRecordedWithTheErrorTextItAnswered() throws Exception {
    Path zip = TestPlugins.zip("install-script-fails", fixtures);
    Response r =
        as(admin, "plugins/sources")
            .post(Entity.json("{\"name\":\"failing\",\"file\":\"file://" + zip + "\"}"));
    assertEquals(400, r.getStatus());
    String answered = json(r).get("message").asText();
    JsonNode e = eventOf(r);
    assertEquals("failed", e.get("outcome").asText());
    assertEquals(400, e.get("status").asInt());
    assertEquals(answered, e.get("error").asText());
    assertEquals("failing", e.get("name").asText());
    assertEquals(sha256(zip), e.get("sha256").asText(), "the artifact was downloaded: its hash");
    assertEquals(0, kpm.count("SELECT count(*) FROM plugin WHERE name = 'failing'"));
  }

  @Test
  @Order(2)
  void theEventOfAFailedChangeIsWrittenBeforeItsAnswerLeavesKpm() {
    for (int i = 0; i < 40; i++) {
      Response r =
          as(admin, "plugins/sinks")
              .post(Entity.json("{\"name\":\"early" + i + "\",\"file\":\"x.zip\"}"));
      assertEquals(400, r.getStatus());
      r.readEntity(String.class);
      assertEquals(
          1,
          kpm.count(
              "SELECT count(*) FROM audit_event WHERE request_id = '"
                  + r.getHeaderString("X-Request-Id")
                  + "'"),
          "the event is there as soon as the answer is");
    }
  }

  @Test
  @Order(3)
  void aRoleRefusalIsRecordedForTheCallerWithoutReadingTheBody() {
    Response r =
        as(viewer, "plugins/sinks")
            .post(Entity.json("{\"name\":\"sneaky\",\"file\":\"file:///x.zip\"}"));
    assertEquals(403, r.getStatus());
    JsonNode e = eventOf(r);
    assertEquals("watcher", e.get("subject").asText());
    assertEquals("refused", e.get("outcome").asText());
    assertEquals("plugin.create", e.get("action").asText());
    assertTrue(e.get("name").isNull(), "the name is in the body, which was not read");
    assertTrue(e.get("error").asText().contains("needs the admin role"));
  }

  @Test
  @Order(4)
  void tokenCreationAndRevocationAreRecorded() {
    Response created =
        as(admin, "auth/tokens").post(Entity.json("{\"name\":\"ci\",\"role\":\"operator\"}"));
    assertEquals(201, created.getStatus());
    String id = json(created).get("id").asText();
    JsonNode c = eventOf(created);
    assertEquals("token.create", c.get("action").asText());
    assertEquals("ci", c.get("name").asText());
    assertTrue(c.get("detail").asText().contains("role operator"));
    assertFalse(c.toString().contains("kpm_"), "the secret is never recorded");
    Response revoked = as(admin, "auth/tokens/" + id).delete();
    assertEquals(200, revoked.getStatus());
    JsonNode v = eventOf(revoked);
    assertEquals("token.revoke", v.get("action").asText());
    assertEquals("ci", v.get("name").asText());
  }

  @Test
  @Order(5)
  void aFloodOfUnauthenticatedRequestsLeavesAggregatedRowsAndNoNameFromTheirBodies() {
    long before = kpm.count("SELECT count(*) FROM audit_event");
    int flood = 300;
    for (int i = 0; i < flood; i++) {
      assertEquals(
          401,
          Http.send(
                  HttpRequest.newBuilder(getBaseUri().resolve("plugins/sources"))
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"name\":\"floodname\",\"file\":\"file:///x.zip\"}")))
              .statusCode());
    }
    JsonNode events =
        json(audit("audit", "action", "request.refused", "principal", "anonymous")).get("events");
    long counted = 0;
    int rows = 0;
    for (JsonNode e : events) {
      if (e.get("client").asText().equals("127.0.0.1") && e.get("status").asInt() == 401) {
        counted += e.get("count").asLong();
        rows++;
      }
    }
    assertEquals(flood, counted, "every refusal is counted");
    assertTrue(rows <= 2, "one row per client and minute, not one per request: " + rows);
    assertTrue(kpm.count("SELECT count(*) FROM audit_event") - before <= 2);
    assertEquals(
        0,
        kpm.count(
            "SELECT count(*) FROM audit_event WHERE concat_ws(' ', plugin_name, detail, error)"
                + " LIKE '%floodname%'"),
        "an unauthenticated body is never parsed");
  }

  @Test
  @Order(6)
  void theTableRefusesUpdateDeleteAndTruncate() {
    for (String sql :
        List.of(
            "UPDATE audit_event SET subject = 'mallory'",
            "DELETE FROM audit_event",
            "TRUNCATE audit_event")) {
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> sqlAsOwner(sql), sql);
      assertTrue(
          String.valueOf(e.getMessage()).contains("append-only")
              || String.valueOf(e.getCause()).contains("append-only"),
          sql + ": " + e);
    }
    assertEquals(0, kpm.count("SELECT count(*) FROM audit_event WHERE subject = 'mallory'"));
  }

  @Test
  @Order(7)
  void verifyFindsAChangedRowARemovedRowAndACutTail() throws SQLException {
    JsonNode ok = verify();
    assertTrue(ok.get("ok").asBoolean(), ok.toString());
    long head = ok.get("head").get("seq").asLong();
    assertEquals(head, ok.get("checked").asLong());
    assertTrue(head >= 8, "the earlier tests left events: " + head);
    long middle = head / 2;
    try (Connection c = connection();
        Statement s = c.createStatement()) {
      s.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change");
      try {
        String subject = kpm.sqlString("SELECT subject FROM audit_event WHERE seq = " + middle);
        s.execute("UPDATE audit_event SET subject = 'mallory' WHERE seq = " + middle);
        JsonNode changed = verify();
        assertFalse(changed.get("ok").asBoolean());
        assertEquals(middle, changed.get("firstBreak").get("seq").asLong());
        assertTrue(changed.get("firstBreak").get("reason").asText().contains("was changed"));
        s.execute("UPDATE audit_event SET subject = '" + subject + "' WHERE seq = " + middle);
        assertTrue(verify().get("ok").asBoolean(), "restored");

        s.execute(
            "CREATE TEMP TABLE saved AS SELECT * FROM audit_event WHERE seq IN ("
                + middle
                + ", "
                + head
                + ")");
        s.execute("DELETE FROM audit_event WHERE seq = " + middle);
        JsonNode removed = verify();
        assertFalse(removed.get("ok").asBoolean());
        assertEquals(middle, removed.get("firstBreak").get("seq").asLong());
        assertEquals(
            "event " + middle + " is missing", removed.get("firstBreak").get("reason").asText());
        s.execute("INSERT INTO audit_event SELECT * FROM saved WHERE seq = " + middle);

        s.execute("DELETE FROM audit_event WHERE seq = " + head);
        JsonNode cut = verify();
        assertFalse(cut.get("ok").asBoolean());
        assertTrue(cut.get("firstBreak").get("reason").asText().contains("are missing"));
        s.execute("INSERT INTO audit_event SELECT * FROM saved WHERE seq = " + head);
        assertTrue(verify().get("ok").asBoolean(), "restored");
      } finally {
        s.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change");
      }
    }
  }

  @Test
  @Order(8)
  void pagesRunNewestFirstWithACursorAndFiltersAndBadQueriesAre400() {
    JsonNode first = json(audit("audit", "limit", "3"));
    assertEquals(3, first.get("events").size());
    long a = first.get("events").get(0).get("seq").asLong();
    long c = first.get("events").get(2).get("seq").asLong();
    assertTrue(a > c, "newest first");
    JsonNode second = json(audit("audit", "limit", "3", "cursor", first.get("next").asText()));
    assertTrue(second.get("events").get(0).get("seq").asLong() < c, "the next page is older");

    JsonNode creates = json(audit("audit", "action", "plugin.create", "outcome", "ok"));
    assertTrue(creates.get("events").size() >= 1);
    for (JsonNode e : creates.get("events")) {
      assertEquals("plugin.create", e.get("action").asText());
      assertEquals("ok", e.get("outcome").asText());
    }
    JsonNode none = json(audit("audit", "since", "2999-01-01"));
    assertEquals(0, none.get("events").size());
    assertTrue(none.get("next").isNull());

    for (String[] bad :
        new String[][] {
          {"since", "yesterday"},
          {"limit", "0"},
          {"limit", "1001"},
          {"action", "plugin.eat"},
          {"outcome", "maybe"},
          {"type", "widgets"},
          {"cursor", "abc"}
        }) {
      Response r = audit("audit", bad[0], bad[1]);
      assertEquals(400, r.getStatus(), bad[0] + "=" + bad[1]);
      JsonNode error = json(r);
      assertEquals(1000, error.get("error").asInt());
      assertTrue(
          error.get("message").asText().startsWith("invalid audit query: "), error.toString());
    }
  }

  @Test
  @Order(9)
  void theCsvExportHasAHeaderAndOneRowPerMatchingEvent() {
    Response r = audit("audit.csv", "action", "plugin.create");
    assertEquals(200, r.getStatus());
    assertTrue(r.getMediaType().isCompatible(MediaType.valueOf("text/csv")));
    List<String> lines = new ArrayList<>(List.of(r.readEntity(String.class).split("\r\n")));
    assertTrue(lines.get(0).startsWith("seq,time,node,subject,method,client,requestId,action,"));
    long creates = kpm.count("SELECT count(*) FROM audit_event WHERE action = 'plugin.create'");
    assertEquals(creates, lines.size() - 1);
    assertTrue(lines.get(1).contains(",plugin.create,"));
  }

  private Connection connection() throws SQLException {
    return DriverManager.getConnection(kpm.db().url(), kpm.db().user(), kpm.db().password());
  }
}
