package dev.kpm.api;

import static dev.kpm.api.CorsOffIT.send;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kpm.Settings;
import dev.kpm.testing.ApiTest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * No authentication, protected mode, and one origin in {@code kpm.cors.origins}: a page of that
 * origin in the local browser is served (a console), a page of any other is not.
 */
class ListedOriginIT extends ApiTest {
  private static final String CONSOLE = "https://console.example";

  @Override
  protected Map<Settings.Key, String> settings() {
    return Map.of(Settings.Key.CORS_ORIGINS, CONSOLE);
  }

  @Test
  void aPageOfTheListedOriginReadsAndInstalls() {
    HttpResponse<String> r =
        send(CorsOffIT.formPost(getBaseUri(), fixtures, "console").header("Origin", CONSOLE));
    assertEquals("sinks plugin console is created", r.body());
    assertEquals(201, r.statusCode());
    assertEquals(Optional.of(CONSOLE), r.headers().firstValue("Access-Control-Allow-Origin"));
    r =
        send(
            HttpRequest.newBuilder(getBaseUri().resolve("plugins/sinks/console"))
                .header("Origin", CONSOLE));
    assertEquals("{\"name\":\"console\",\"version\":\"\"}", r.body());
    assertEquals(200, r.statusCode());
    assertEquals(Optional.of(CONSOLE), r.headers().firstValue("Access-Control-Allow-Origin"));
  }

  @Test
  void aPageOfAnotherOriginIsRefusedAndInstallsNothing() {
    HttpResponse<String> r =
        send(
            CorsOffIT.formPost(getBaseUri(), fixtures, "other")
                .header("Origin", "https://evil.example"));
    assertEquals(CorsOffIT.pageRefusal("https://evil.example"), r.body());
    assertEquals(403, r.statusCode());
    assertEquals(List.of(), SecurityFilterIT.corsHeaders(r));
    assertEquals(0, kpm.count("SELECT count(*) FROM plugin WHERE name = 'other'"));
  }
}
