package dev.kpm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kpm.testing.ApiTest;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CORS is off by default ({@code kpm.cors.origins} empty): no browser origin is granted anything.
 */
class CorsOffIT extends ApiTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aPreflightIsRefusedWithoutAnyAccessControlHeader() throws Exception {
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
  void aRequestWithAnOriginIsServedWithoutAnyAccessControlHeader() throws Exception {
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(getBaseUri().resolve("plugins/sources"))
                .header("Origin", "https://console.example"));
    assertEquals("[]", r.body());
    assertEquals(200, r.statusCode());
    assertEquals(List.of(), SecurityFilterIT.corsHeaders(r));
  }
}
