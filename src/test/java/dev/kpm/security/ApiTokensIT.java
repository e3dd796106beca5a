package dev.kpm.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.Settings;
import dev.kpm.testing.Await;
import dev.kpm.testing.EmbeddedTomcat;
import dev.kpm.testing.Endpoints;
import dev.kpm.testing.PgServer;
import dev.kpm.testing.TestDatabase;
import dev.kpm.testing.TestKpm;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * kpm's API tokens through the real HTTP interface on a real PostgreSQL ({@code kpm.auth=token}):
 * the initial admin token, create / use / list / revoke / expiry, malformed tokens, the role of
 * every endpoint kpm serves, and a database outage that keeps known tokens working.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApiTokensIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private Path dir;
  private PgServer pg;
  private TestKpm kpm;
  private EmbeddedTomcat http;
  private String admin;

  @BeforeAll
  void start() throws IOException {
    dir = Files.createTempDirectory(Path.of("target"), "api-tokens-").toAbsolutePath();
    pg = PgServer.start(dir.resolve("pgdata"));
    TestDatabase.Coordinates db = pg.database("kpm", "");
    kpm =
        TestKpm.start(
            Files.createDirectories(dir.resolve("home")),
            db,
            Map.of(
                Settings.Key.AUTH, "token",
                Settings.Key.DB_ACQUIRE_TIMEOUT, "PT2S",
                Settings.Key.DB_STATEMENT_TIMEOUT, "PT2S"));
    http = EmbeddedTomcat.start(kpm.runtime()::mount);
    admin = Files.readString(kpm.home().resolve("etc/initial-admin-token")).strip();
  }

  @AfterAll
  void stop() {
    if (http != null) {
      http.close();
    }
    if (kpm != null) {
      kpm.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  private HttpResponse<String> call(String method, String path, String credential, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(http.uri().resolve(path.substring(1)))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (credential != null) {
      b.header("Authorization", credential);
    }
    try {
      // An event stream never ends: its answer is taken from the headers, the stream closed.
      HttpResponse<java.io.InputStream> r =
          HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      boolean stream =
          r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream");
      String text;
      try (java.io.InputStream in = r.body()) {
        text = stream ? "" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
      return new Answer(r, text);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A response whose body was read as text (or left unread for an event stream). */
  private record Answer(HttpResponse<java.io.InputStream> r, String body)
      implements HttpResponse<String> {
    @Override
    public int statusCode() {
      return r.statusCode();
    }

    @Override
    public HttpRequest request() {
      return r.request();
    }

    @Override
    public java.util.Optional<HttpResponse<String>> previousResponse() {
      return java.util.Optional.empty();
    }

    @Override
    public java.net.http.HttpHeaders headers() {
      return r.headers();
    }

    @Override
    public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
      return r.sslSession();
    }

    @Override
    public java.net.URI uri() {
      return r.uri();
    }

    @Override
    public java.net.http.HttpClient.Version version() {
      return r.version();
    }
  }

  private JsonNode json(HttpResponse<String> answer) {
    try {
      return JSON.readTree(answer.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + answer.body(), e);
    }
  }

  private JsonNode create(String name, String role, String expiresIn) {
    String body =
        "{\"name\":\""
            + name
            + "\",\"role\":\""
            + role
            + "\""
            + (expiresIn == null ? "" : ",\"expiresIn\":\"" + expiresIn + "\"")
            + "}";
    HttpResponse<String> answer = call("POST", "/auth/tokens", "Bearer " + admin, body);
    assertEquals(201, answer.statusCode(), answer.body());
    return json(answer);
  }

  @Test
  @Order(1)
  void theInitialAdminTokenIsWrittenForTheOwnerOnlyAndProvesAnAdmin() throws IOException {
    Path file = kpm.home().resolve("etc/initial-admin-token");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertTrue(TokenSecret.wellFormed(admin), admin);
    JsonNode me = json(call("GET", "/auth/me", admin, null));
    assertEquals("initial-admin", me.get("subject").asText());
    assertEquals("token", me.get("method").asText());
    assertEquals("admin", me.get("role").asText());
    assertEquals("127.0.0.1", me.get("clientAddress").asText());
    // Only the hash is stored.
    assertEquals(
        1,
        kpm.count(
            "select count(*) from api_token where secret_sha256 = '"
                + TokenSecret.hash(admin)
                + "'"));
    assertEquals(
        0,
        kpm.count(
            "select count(*) from api_token where position('"
                + admin.substring(4)
                + "' in concat_ws('|', name, hint, secret_sha256, created_by)) > 0"));
  }

  @Test
  @Order(2)
  void aCreatedTokenIsShownOnceAndWorksAndListsNeverShowSecrets() {
    JsonNode created = create("ci-reader", "viewer", "P30D");
    String secret = created.get("token").asText();
    assertTrue(secret.startsWith("kpm_") && TokenSecret.wellFormed(secret), secret);
    assertEquals("viewer", created.get("role").asText());
    assertEquals(secret.substring(secret.length() - 4), created.get("hint").asText());
    assertEquals("token:initial-admin", created.get("createdBy").asText());
    HttpResponse<String> me = call("GET", "/auth/me", "Bearer " + secret, null);
    assertEquals(200, me.statusCode(), me.body());
    assertEquals("ci-reader", json(me).get("subject").asText());
    HttpResponse<String> list = call("GET", "/auth/tokens", admin, null);
    assertEquals(200, list.statusCode(), list.body());
    assertFalse(list.body().contains(secret), list.body());
    assertFalse(list.body().contains("\"token\""), list.body());
    JsonNode listed = null;
    for (JsonNode t : json(list)) {
      if (t.get("name").asText().equals("ci-reader")) {
        listed = t;
      }
    }
    assertTrue(listed != null, list.body());
    // last used: collected in memory, written in a batch (the list flushes it first).
    assertTrue(listed.hasNonNull("lastUsedAt"), listed.toString());
  }

  @Test
  @Order(3)
  void aRevokedTokenIsRefusedAtOnceAndRevokingAgainIsHarmless() {
    JsonNode created = create("to-revoke", "operator", null);
    String secret = created.get("token").asText();
    long id = created.get("id").asLong();
    assertEquals(200, call("GET", "/plugins/sources", secret, null).statusCode());
    HttpResponse<String> revoked = call("DELETE", "/auth/tokens/" + id, admin, null);
    assertEquals(200, revoked.statusCode(), revoked.body());
    assertTrue(json(revoked).hasNonNull("revokedAt"), revoked.body());
    assertEquals("token:initial-admin", json(revoked).get("revokedBy").asText());
    HttpResponse<String> refused = call("GET", "/plugins/sources", secret, null);
    assertEquals(401, refused.statusCode(), refused.body());
    assertEquals(
        "{\"error\":1000,\"message\":\"validate token error: unknown or revoked kpm token\"}\n",
        refused.body());
    assertEquals(200, call("DELETE", "/auth/tokens/" + id, admin, null).statusCode());
    HttpResponse<String> unknown = call("DELETE", "/auth/tokens/987654", admin, null);
    assertEquals(404, unknown.statusCode(), unknown.body());
    assertEquals(404, call("DELETE", "/auth/tokens/abc", admin, null).statusCode());
    // The name of a revoked token can be used again.
    create("to-revoke", "viewer", null);
  }

  @Test
  @Order(4)
  void aTokenStopsWorkingWhenItExpires() {
    String secret = create("short-lived", "viewer", "PT2S").get("token").asText();
    assertEquals(200, call("GET", "/plugins/sources", secret, null).statusCode());
    Await.until(
        "the token expired",
        Duration.ofSeconds(20),
        () -> call("GET", "/plugins/sources", secret, null).statusCode() == 401);
    HttpResponse<String> refused = call("GET", "/plugins/sources", secret, null);
    assertEquals(
        "{\"error\":1000,\"message\":\"validate token error: kpm token short-lived expired\"}\n",
        refused.body());
  }

  @Test
  @Order(5)
  void malformedAndMissingCredentialsAre401WithTheChallenge() {
    String good = create("checksum", "viewer", null).get("token").asText();
    char last = good.charAt(good.length() - 1);
    String badChecksum = good.substring(0, good.length() - 1) + (last == 'a' ? 'b' : 'a');
    for (String credential :
        List.of(badChecksum, "kpm_short", "Bearer kpm_", "kpm_" + "x".repeat(200))) {
      HttpResponse<String> answer = call("GET", "/plugins/sources", credential, null);
      assertEquals(401, answer.statusCode(), credential + ": " + answer.body());
      assertEquals(
          "Bearer realm=\"kpm\", error=\"invalid_token\"",
          answer.headers().firstValue("WWW-Authenticate").orElse(""));
    }
    HttpResponse<String> missing = call("GET", "/plugins/sources", null, null);
    assertEquals(401, missing.statusCode());
    assertEquals("{\"error\":1000,\"message\":\"missing_token\"}\n", missing.body());
    assertEquals("Bearer realm=\"kpm\"", missing.headers().firstValue("WWW-Authenticate").get());
    // A JWT when only tokens are enabled is refused too.
    HttpResponse<String> jwt =
        call("GET", "/plugins/sources", "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.", null);
    assertEquals(401, jwt.statusCode(), jwt.body());
  }

  @Test
  @Order(6)
  void badTokenRequestsAre400AndCreateNothing() {
    long before = kpm.count("select count(*) from api_token");
    for (String body :
        List.of(
            "",
            "not json",
            "{\"name\":\"../x\",\"role\":\"viewer\"}",
            "{\"name\":\"\",\"role\":\"viewer\"}",
            "{\"name\":\"" + "n".repeat(65) + "\",\"role\":\"viewer\"}",
            "{\"name\":\"ok\",\"role\":\"root\"}",
            "{\"name\":\"ok\",\"role\":\"viewer\",\"expiresIn\":\"forever\"}",
            "{\"name\":\"ok\",\"role\":\"viewer\",\"expiresIn\":\"P400D\"}",
            "{\"name\":\"ok\",\"role\":\"viewer\",\"expiresIn\":\"-PT1S\"}",
            "{\"name\":\"ok\",\"role\":\"viewer\",\"secret\":\"mine\"}",
            "{\"name\":\"ci-reader\",\"role\":\"viewer\"}")) {
      HttpResponse<String> answer = call("POST", "/auth/tokens", admin, body);
      assertEquals(400, answer.statusCode(), body + " → " + answer.body());
      assertTrue(answer.body().startsWith("{\"error\":1000,\"message\":\""), answer.body());
    }
    assertEquals(before, kpm.count("select count(*) from api_token"));
  }

  /**
   * Every endpoint kpm serves, as the role table says: no credential → 401 (public ones excepted),
   * the role just below the one it needs → 403 and nothing changes, the role it needs → neither.
   */
  @Test
  @Order(7)
  void everyEndpointAnswersEachRoleAsTheAccessTableSays() {
    Map<Role, String> tokens = new EnumMap<>(Role.class);
    for (Role role : Role.values()) {
      tokens.put(role, create("matrix-" + role.wire(), role.wire(), null).get("token").asText());
    }
    long tokensBefore = kpm.count("select count(*) from api_token");
    List<String> wrong = new ArrayList<>();
    for (Endpoints.Endpoint e : AccessRulesTest.endpoints()) {
      AccessRules.Need need = AccessRulesTest.EXPECTED.get(e.toString());
      for (String path : e.concretePaths()) {
        String where = e.method() + " " + path;
        int anonymous = call(e.method(), path, null, null).statusCode();
        if (need == AccessRules.Need.PUBLIC ? anonymous == 401 : anonymous != 401) {
          wrong.add(where + " without a credential: " + anonymous);
        }
        if (need == AccessRules.Need.PUBLIC) {
          continue;
        }
        Role needed = need.role();
        if (needed.ordinal() > 0) {
          Role below = Role.values()[needed.ordinal() - 1];
          int status = call(e.method(), path, tokens.get(below), null).statusCode();
          if (status != 403) {
            wrong.add(where + " as " + below.wire() + ": " + status + " (expected 403)");
          }
        }
        int allowed = call(e.method(), path, tokens.get(needed), null).statusCode();
        if (allowed == 401 || allowed == 403) {
          wrong.add(where + " as " + needed.wire() + ": " + allowed);
        }
      }
    }
    assertEquals(List.of(), wrong);
    assertEquals(tokensBefore, kpm.count("select count(*) from api_token"));
    assertEquals("[]", call("GET", "/plugins/sources", admin, null).body());
  }

  @Test
  @Order(8)
  void aViewerCannotInstallAndTheRefusalChangesNothing() throws IOException {
    String viewer = create("refused-viewer", "viewer", null).get("token").asText();
    Path zip = dir.resolve("nothing.zip");
    Files.write(
        zip, new byte[] {'P', 'K', 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    HttpResponse<String> answer =
        call(
            "POST",
            "/plugins/sources",
            viewer,
            "{\"name\":\"refused\",\"file\":\"file://" + zip + "\"}");
    assertEquals(403, answer.statusCode(), answer.body());
    assertEquals(
        "{\"error\":1000,\"message\":\"POST /plugins/sources needs the admin role; refused-viewer"
            + " (token) has viewer\"}\n",
        answer.body());
    assertEquals("[]", call("GET", "/plugins/sources", viewer, null).body());
    assertEquals(0, kpm.count("select count(*) from install_record"));
  }

  @Test
  @Order(9)
  void duringADatabaseOutageKnownTokensWorkAndAnUnknownOneIs503() {
    String known = create("outage-known", "viewer", null).get("token").asText();
    String unknown = TokenSecret.generate();
    assertEquals(200, call("GET", "/auth/me", known, null).statusCode());
    pg.stop();
    try {
      HttpResponse<String> me = call("GET", "/auth/me", known, null);
      assertEquals(200, me.statusCode(), me.body());
      HttpResponse<String> other = call("GET", "/auth/me", unknown, null);
      assertEquals(503, other.statusCode(), other.body());
      assertNotEquals(401, other.statusCode());
      // A malformed one needs no database to refuse.
      String malformed = unknown.substring(0, unknown.length() - 1) + "!";
      assertEquals(401, call("GET", "/auth/me", malformed, null).statusCode());
    } finally {
      pg.startAgain();
    }
  }
}
