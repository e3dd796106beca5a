package dev.kpm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.testing.ApiTest;
import dev.kpm.testing.TestPlugins;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The defaults — no authentication, protected mode, CORS off ({@code kpm.cors.origins} empty) — on
 * loopback: no browser origin is granted anything, and no web page can drive kpm through the local
 * browser.
 */
class CorsOffIT extends ApiTest {

  static HttpResponse<String> send(HttpRequest.Builder request) {
    return dev.kpm.testing.Http.send(request);
  }

  /** The refusal of a page of {@code origin}, exactly. */
  static String pageRefusal(String origin) {
    return "{\"error\":1000,\"message\":\"kpm runs without authentication (kpm.auth=none) in"
        + " protected mode, so it serves no web page that kpm.cors.origins (KPM_CORS_ORIGINS) does"
        + " not list, and this request came from a page of "
        + origin
        + ". Enable authentication with kpm.auth (KPM_AUTH) = token, ekuiper or oidc, or list the"
        + " origin in kpm.cors.origins\"}\n";
  }

  /** A create of sink {@code name} from a zip that installs, as a cross-site form posts it. */
  static HttpRequest.Builder formPost(URI base, Path fixtures, String name) {
    Path zip =
        TestPlugins.zip(
            fixtures.resolve(name + ".zip"), List.of(TestPlugins.Entry.file(name + ".so", "so")));
    return HttpRequest.newBuilder(base.resolve("plugins/sinks"))
        .header("Content-Type", "text/plain")
        .POST(
            BodyPublishers.ofString("{\"name\":\"" + name + "\",\"file\":\"file://" + zip + "\"}"));
  }

  @Test
  void aPreflightIsRefusedWithoutAnyAccessControlHeader() {
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(getBaseUri().resolve("plugins/sources"))
                .header("Origin", "https://console.example")
                .header("Access-Control-Request-Method", "GET")
                .method("OPTIONS", BodyPublishers.noBody()));
    assertEquals(
        "{\"error\":1000,\"message\":\"origin https://console.example may not call kpm from a"
            + " browser (kpm.cors.origins)\"}\n",
        r.body());
    assertEquals(403, r.statusCode());
    assertEquals(List.of(), SecurityFilterIT.corsHeaders(r));
  }

  @Test
  void aCrossSitePostFromAWebPageInTheLocalBrowserIsRefusedAndInstallsNothing() {
    HttpResponse<String> r =
        send(formPost(getBaseUri(), fixtures, "drive").header("Origin", "null"));
    assertEquals(pageRefusal("null"), r.body());
    assertEquals(403, r.statusCode());
    r = send(formPost(getBaseUri(), fixtures, "drive").header("Origin", "https://evil.example"));
    assertEquals(pageRefusal("https://evil.example"), r.body());
    assertEquals(403, r.statusCode());
    assertEquals(List.of(), SecurityFilterIT.corsHeaders(r));
    // The same request from a local program (no Origin) installs: the refused ones did not.
    r = send(formPost(getBaseUri(), fixtures, "drive"));
    assertEquals("sinks plugin drive is created", r.body());
    assertEquals(201, r.statusCode());
  }

  @Test
  void kpmsOwnPageUnderALoopbackNameIsServedButARebindingNameIsNot() throws Exception {
    int port = getBaseUri().getPort();
    String own = "http://127.0.0.1:" + port;
    HttpResponse<String> r =
        send(HttpRequest.newBuilder(getBaseUri().resolve("plugins/sources")).header("Origin", own));
    assertEquals("[]", r.body());
    assertEquals(200, r.statusCode());
    // A DNS-rebound name: same origin as far as the browser knows, but not a loopback name.
    String rebound = "rebound.example:" + port;
    String answer = rawGet(port, rebound, "http://" + rebound);
    assertTrue(answer.startsWith("HTTP/1.1 403"), answer);
    assertTrue(answer.endsWith(pageRefusal("http://" + rebound)), answer);
    String local = rawGet(port, "localhost:" + port, "http://localhost:" + port);
    assertTrue(local.startsWith("HTTP/1.1 200"), local);
  }

  /** A GET of /plugins/sources with this Host and Origin, as a browser sends it; the answer. */
  private static String rawGet(int port, String host, String origin) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET /plugins/sources HTTP/1.1\r\nHost: "
                      + host
                      + "\r\nOrigin: "
                      + origin
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void aReadFromAWebPageIsRefusedToo() {
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(getBaseUri().resolve("plugins/sources"))
                .header("Origin", "https://console.example"));
    assertEquals(pageRefusal("https://console.example"), r.body());
    assertEquals(403, r.statusCode());
    assertEquals(List.of(), SecurityFilterIT.corsHeaders(r));
  }

  @Test
  void aLocalProgramIsServedWithoutAnyAccessControlHeader() {
    HttpResponse<String> r = send(HttpRequest.newBuilder(getBaseUri().resolve("plugins/sources")));
    assertEquals("[]", r.body());
    assertEquals(200, r.statusCode());
    assertEquals(List.of(), SecurityFilterIT.corsHeaders(r));
  }
}
