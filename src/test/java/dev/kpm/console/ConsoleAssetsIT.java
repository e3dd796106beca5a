package dev.kpm.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.Settings;
import dev.kpm.testing.ApiTest;
import dev.kpm.testing.Http;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The console's static files over HTTP with token authentication on: served without a credential,
 * with a strict Content-Security-Policy, only the files of the console folder, GET only.
 */
class ConsoleAssetsIT extends ApiTest {
  @Override
  protected Map<Settings.Key, String> settings() {
    return Map.of(Settings.Key.AUTH, "token");
  }

  private HttpResponse<String> get(String path) {
    return Http.send(HttpRequest.newBuilder(getBaseUri().resolve(path)));
  }

  @Test
  void thePageIsServedWithoutACredentialUnderAStrictContentSecurityPolicy() throws Exception {
    HttpResponse<String> r = get("console/");
    assertEquals(200, r.statusCode());
    assertEquals(Files.readString(Path.of("webapp/console/index.html")), r.body());
    assertEquals(Optional.of("text/html;charset=utf-8"), r.headers().firstValue("Content-Type"));
    String policy = r.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertTrue(policy.startsWith("default-src 'self';"), policy);
    assertFalse(policy.contains("unsafe-inline") || policy.contains("unsafe-eval"), policy);
    assertTrue(policy.contains("frame-ancestors 'none'"), policy);
    assertEquals(Optional.of("nosniff"), r.headers().firstValue("X-Content-Type-Options"));
    // The API itself still needs the credential.
    assertEquals(401, get("auth/me").statusCode());
  }

  @Test
  void everyFileOfTheFolderIsServedWithItsTypeAndTheScriptsAreModules() throws Exception {
    try (var files = Files.list(Path.of("webapp/console"))) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        HttpResponse<String> r = get("console/" + name);
        assertEquals(200, r.statusCode(), name);
        String type = r.headers().firstValue("Content-Type").orElseThrow();
        if (name.endsWith(".js")) {
          assertEquals("text/javascript;charset=utf-8", type, name);
        } else if (name.endsWith(".css")) {
          assertEquals("text/css;charset=utf-8", type, name);
        }
      }
    }
  }

  @Test
  void theBarePathRedirectsToTheFolderSoRelativeLinksWork() {
    HttpResponse<String> r = get("console");
    assertEquals(301, r.statusCode());
    assertEquals(Optional.of("/console/"), r.headers().firstValue("Location"));
  }

  @Test
  void anUnchangedFileIsAnswered304ToItsETag() {
    String etag = get("console/app.js").headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> r =
        Http.send(
            HttpRequest.newBuilder(getBaseUri().resolve("console/app.js"))
                .header("If-None-Match", etag));
    assertEquals(304, r.statusCode());
    assertEquals("", r.body());
  }

  @Test
  void namesOutsideTheFolderAreNotFoundAndNothingElseOfTheWebApplicationIsServed() {
    for (String path :
        new String[] {
          "console/nothing.js", "console/WEB-INF/web.xml", "console/%2e%2e/WEB-INF/web.xml"
        }) {
      HttpResponse<String> r = get(path);
      // One flat folder: a deeper path is not a console file, so it is not public either (401).
      assertTrue(
          r.statusCode() == 404 || r.statusCode() == 401 || r.statusCode() == 400,
          path + " " + r.statusCode());
      assertFalse(r.body().contains("web-app"), path);
    }
    HttpResponse<String> r = get("console/nothing.js");
    assertEquals("{\"error\":1002,\"message\":\"console file nothing.js not found\"}\n", r.body());
  }

  @Test
  void onlyGetAndHeadAreAllowed() {
    String admin = kpm.token("console-admin", "admin");
    HttpResponse<String> r =
        Http.send(
            HttpRequest.newBuilder(getBaseUri().resolve("console/index.html"))
                .header("Authorization", "Bearer " + admin)
                .POST(HttpRequest.BodyPublishers.ofString("x")));
    assertEquals(405, r.statusCode());
    assertEquals(Optional.of("GET, HEAD"), r.headers().firstValue("Allow"));
    assertEquals(
        "{\"error\":1000,\"message\":\"method POST is not allowed for the console; use GET\"}\n",
        r.body());
    // Without a credential the security filter refuses the change first.
    assertEquals(
        401,
        Http.send(
                HttpRequest.newBuilder(getBaseUri().resolve("console/index.html"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")))
            .statusCode());
  }
}
