package dev.kpm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.Settings;
import dev.kpm.security.TokenSecret;
import dev.kpm.testing.ApiTest;
import dev.kpm.testing.TestPlugins;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The security filter's duties beside deciding who may call, over real HTTP to a kpm with kpm API
 * tokens enabled: the body cap, CORS, request ids and the failed-authentication limit. 127.0.0.1 is
 * a trusted proxy, so a test can speak for a client of its own with X-Forwarded-For.
 */
class SecurityFilterIT extends ApiTest {
  private static final int CAP = 1024;
  private static final String CONSOLE = "https://console.example";

  /** kpm's own ids: a random prefix per process and a counter (no SecureRandom per request). */
  private static final Pattern GENERATED_ID = Pattern.compile("[0-9a-f]{12}-[0-9a-z]+");

  private String admin;

  @Override
  protected Map<Settings.Key, String> settings() {
    return Map.of(
        Settings.Key.AUTH,
        "token",
        Settings.Key.AUTH_TRUSTED_PROXIES,
        "127.0.0.1",
        Settings.Key.MAX_BODY_BYTES,
        Integer.toString(CAP),
        Settings.Key.CORS_ORIGINS,
        CONSOLE);
  }

  /** An admin token, stored as kpm stores one (no endpoint makes the first). */
  @BeforeAll
  void createAdminToken() {
    admin = TokenSecret.generate();
    kpm.sql(
        "INSERT INTO api_token (name, role, secret_sha256, hint, created_by, expires_at) VALUES"
            + " ('it-admin', 'admin', '"
            + TokenSecret.hash(admin)
            + "', '"
            + TokenSecret.hint(admin)
            + "', 'test:SecurityFilterIT', now() + interval '1 day')");
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    return dev.kpm.testing.Http.send(request);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(getBaseUri().resolve(path));
  }

  private HttpRequest.Builder asAdmin(String path) {
    return request(path).header("Authorization", "Bearer " + admin);
  }

  /** A create of sink {@code name} from a zip that installs, padded to exactly {@code size}. */
  private byte[] createBody(String name, int size) {
    Path zip =
        TestPlugins.zip(
            fixtures.resolve(name + ".zip"), List.of(TestPlugins.Entry.file(name + ".so", "so")));
    String json = "{\"name\":\"" + name + "\",\"file\":\"file://" + zip + "\"}";
    assertTrue(json.length() < size, json);
    return ("{" + " ".repeat(size - json.length()) + json.substring(1))
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static BodyPublisher chunked(byte[] body) {
    return BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body));
  }

  private HttpResponse<String> create(BodyPublisher body) {
    return send(asAdmin("plugins/sinks").header("Content-Type", "application/json").POST(body));
  }

  private static void assertError(int status, String message, HttpResponse<String> r) {
    assertEquals("{\"error\":1000,\"message\":\"" + message + "\"}\n", r.body());
    assertEquals(status, r.statusCode());
    assertEquals(Optional.of("application/json"), r.headers().firstValue("Content-Type"));
  }

  private void assertNotInstalled(String name) {
    assertEquals(404, send(asAdmin("plugins/sinks/" + name)).statusCode());
    assertEquals(0, kpm.count("SELECT count(*) FROM plugin WHERE name = '" + name + "'"));
  }

  @Test
  void aBodyOneByteOverTheCapIsRefusedWith413AndNothingIsInstalled() {
    byte[] body = createBody("toolong", CAP + 1);
    assertError(
        413,
        "request body larger than 1024 bytes (kpm.http.maxBodyBytes)",
        create(BodyPublishers.ofByteArray(body)));
    assertNotInstalled("toolong");
  }

  @Test
  void aChunkedBodyOneByteOverTheCapIsRefusedWith413AndNothingIsInstalled() {
    byte[] body = createBody("toolongchunked", CAP + 1);
    assertError(
        413, "request body larger than 1024 bytes (kpm.http.maxBodyBytes)", create(chunked(body)));
    assertNotInstalled("toolongchunked");
  }

  @Test
  void aBodyOfExactlyTheCapInstalls() {
    HttpResponse<String> r = create(BodyPublishers.ofByteArray(createBody("fits", CAP)));
    assertEquals("sinks plugin fits is created", r.body());
    assertEquals(201, r.statusCode());
    assertEquals(
        "{\"name\":\"fits\",\"version\":\"\"}", send(asAdmin("plugins/sinks/fits")).body());
  }

  @Test
  void aChunkedBodyOfExactlyTheCapIsReadWholeAndInstalls() {
    HttpResponse<String> r = create(chunked(createBody("fitschunked", CAP)));
    assertEquals("sinks plugin fitschunked is created", r.body());
    assertEquals(201, r.statusCode());
    assertEquals(
        "{\"name\":\"fitschunked\",\"version\":\"\"}",
        send(asAdmin("plugins/sinks/fitschunked")).body());
  }

  @Test
  void aPreflightFromAnAllowedOriginIsAnsweredWithoutCredentials() {
    HttpResponse<String> r =
        send(
            request("plugins/sinks")
                .header("Origin", CONSOLE)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type")
                .method("OPTIONS", BodyPublishers.noBody()));
    assertEquals(204, r.statusCode());
    assertEquals("", r.body());
    assertEquals(Optional.of(CONSOLE), r.headers().firstValue("Access-Control-Allow-Origin"));
    assertEquals(
        Optional.of("GET, HEAD, POST, PUT, DELETE, OPTIONS"),
        r.headers().firstValue("Access-Control-Allow-Methods"));
    assertEquals(
        Optional.of("Authorization, Content-Type, Prefer, Last-Event-ID, X-Request-Id"),
        r.headers().firstValue("Access-Control-Allow-Headers"));
    assertTrue(r.headers().allValues("Vary").contains("Origin"), r.headers().toString());
  }

  @Test
  void aPreflightFromAnotherOriginIsRefusedWithoutCorsHeaders() {
    HttpResponse<String> r =
        send(
            request("plugins/sinks")
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "POST")
                .method("OPTIONS", BodyPublishers.noBody()));
    assertError(
        403, "origin https://evil.example may not call kpm from a browser (kpm.cors.origins)", r);
    assertEquals(List.of(), corsHeaders(r), "no Access-Control-* header");
  }

  @Test
  void anAllowedOriginsRequestMayReadTheAnswerAndAnotherOriginsMayNot() {
    HttpResponse<String> allowed = send(asAdmin("plugins/sinks").header("Origin", CONSOLE));
    assertEquals(200, allowed.statusCode());
    assertEquals(Optional.of(CONSOLE), allowed.headers().firstValue("Access-Control-Allow-Origin"));
    assertEquals(
        Optional.of("Location, X-Request-Id"),
        allowed.headers().firstValue("Access-Control-Expose-Headers"));
    // The server answers (CORS is the browser's to enforce) but grants the other origin nothing.
    HttpResponse<String> other =
        send(asAdmin("plugins/sinks").header("Origin", "https://evil.example"));
    assertEquals(200, other.statusCode());
    assertEquals(List.of(), corsHeaders(other));
  }

  static List<String> corsHeaders(HttpResponse<?> r) {
    return r.headers().map().keySet().stream()
        .filter(h -> h.toLowerCase(java.util.Locale.ROOT).startsWith("access-control-"))
        .toList();
  }

  /** docs/api.md §8.14: public, through the gate and past the fast reads, and not audited. */
  @Test
  void theOpenApiDocumentIsServedWithoutACredentialAndNotAudited() {
    for (String path : List.of("openapi.json", "openapi.yaml")) {
      String id = "openapi-it-" + path.replace('.', '-');
      HttpResponse<String> r = send(request(path).header("X-Request-Id", id));
      assertEquals(200, r.statusCode(), path);
      assertEquals(
          Optional.of(path.endsWith("json") ? "application/json" : "application/yaml"),
          r.headers().firstValue("Content-Type"));
      assertTrue(r.body().contains("3.1.0"), path);
      String tag = r.headers().firstValue("ETag").orElseThrow();
      assertEquals(304, send(request(path).header("If-None-Match", tag)).statusCode(), path);
      assertEquals(
          0, kpm.count("SELECT count(*) FROM audit_event WHERE request_id = '" + id + "'"));
    }
  }

  @Test
  void aSaneRequestIdIsEchoedOnAnswersAndRefusals() {
    String id = "op-42_build.7:retry";
    assertEquals(
        Optional.of(id),
        send(request("ping").header("X-Request-Id", id)).headers().firstValue("X-Request-Id"));
    HttpResponse<String> refused = send(request("plugins/sinks").header("X-Request-Id", id));
    assertEquals(401, refused.statusCode());
    assertEquals(Optional.of(id), refused.headers().firstValue("X-Request-Id"));
  }

  @Test
  void aMissingOrInsaneRequestIdIsReplacedByAGeneratedOne() {
    String first = send(request("ping")).headers().firstValue("X-Request-Id").orElseThrow();
    String second = send(request("ping")).headers().firstValue("X-Request-Id").orElseThrow();
    assertTrue(GENERATED_ID.matcher(first).matches(), first);
    assertNotEquals(first, second, "each request its own id");
    for (String insane : List.of("a b", "<script>", "x".repeat(65), "id;drop", "../x")) {
      String got =
          send(request("ping").header("X-Request-Id", insane))
              .headers()
              .firstValue("X-Request-Id")
              .orElseThrow();
      assertTrue(GENERATED_ID.matcher(got).matches(), insane + " -> " + got);
    }
  }

  @Test
  void afterMaxFailedAuthenticationsAClientIsRefused429EvenWithAGoodToken() {
    String client = "192.0.2.66";
    assertEquals(
        200,
        send(asAdmin("plugins/sinks").header("X-Forwarded-For", client)).statusCode(),
        "the token is good");
    for (int i = 0; i < 20; i++) {
      String bad = i % 2 == 0 ? "kpm_not-a-token-" + i : TokenSecret.generate();
      HttpResponse<String> r =
          send(
              request("plugins/sinks")
                  .header("X-Forwarded-For", client)
                  .header("Authorization", "Bearer " + bad));
      assertEquals(401, r.statusCode(), "failure " + (i + 1) + ": " + r.body());
      assertEquals(
          Optional.of("Bearer realm=\"kpm\", error=\"invalid_token\""),
          r.headers().firstValue("WWW-Authenticate"));
    }
    HttpResponse<String> blocked = send(asAdmin("plugins/sinks").header("X-Forwarded-For", client));
    assertEquals(429, blocked.statusCode(), blocked.body());
    java.util.regex.Matcher refusal =
        Pattern.compile(
                "\\{\"error\":1000,\"message\":\"too many failed authentications from 192\\.0\\.2\\.66;"
                    + " try again in ([1-6]?[0-9]) s \\(kpm\\.auth\\.maxFailures\\)\"}\n")
            .matcher(blocked.body());
    assertTrue(refusal.matches(), blocked.body());
    // The header says what the message says: the seconds left of this client's minute.
    assertEquals(Optional.of(refusal.group(1)), blocked.headers().firstValue("Retry-After"));
    // Per client: another one, and the proxy itself, are served.
    assertEquals(
        200, send(asAdmin("plugins/sinks").header("X-Forwarded-For", "192.0.2.67")).statusCode());
    assertEquals(200, send(asAdmin("plugins/sinks")).statusCode());
    assertFalse(blocked.headers().firstValue("WWW-Authenticate").isPresent());
  }
}
