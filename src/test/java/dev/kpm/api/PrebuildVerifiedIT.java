package dev.kpm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.Settings;
import dev.kpm.testing.ApiTest;
import dev.kpm.testing.FixtureServer;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /plugins/{type}/prebuild?verified=true} against a plugin host on loopback that has
 * some of the listed zips: the reachable ones are listed, the missing ones hidden, the plain
 * listing stays eKuiper's; the answers are checked again once the TTL (here 1 ms) has passed.
 */
class PrebuildVerifiedIT extends ApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private FixtureServer host;
  private Set<String> present;
  private Map<String, AtomicInteger> heads;

  @Override
  protected Map<Settings.Key, String> settings() {
    present = ConcurrentHashMap.newKeySet();
    heads = new ConcurrentHashMap<>();
    host =
        new FixtureServer()
            .on(
                "/kuiper-plugins/",
                exchange -> {
                  String path = exchange.getRequestURI().getPath();
                  String name = path.substring(path.lastIndexOf('/') + 1, path.lastIndexOf('_'));
                  if (exchange.getRequestMethod().equals("HEAD")) {
                    heads.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
                  }
                  exchange.sendResponseHeaders(present.contains(name) ? 200 : 404, -1);
                });
    return Map.of(
        Settings.Key.PLUGIN_HOSTS,
        "http://127.0.0.1:" + host.port(),
        Settings.Key.PREBUILD_VERIFY_TTL,
        "PT0.001S");
  }

  @AfterAll
  void stopHost() {
    host.close();
  }

  private String get(String query) {
    Response r =
        query == null
            ? target("plugins/sources/prebuild").request().get()
            : target("plugins/sources/prebuild").queryParam("verified", query).request().get();
    String body = r.readEntity(String.class);
    assertEquals(200, r.getStatus(), body);
    return body;
  }

  @Test
  void verifiedListsOnlyReachableZipsThePlainListingIsUnchangedAndAnswersAreRechecked()
      throws Exception {
    present.add("random");
    String plain = get(null);
    JsonNode all = JSON.readTree(plain);
    assertEquals(5, all.size(), plain);
    String randomUrl = all.get("random").asText();
    assertTrue(randomUrl.startsWith("http://127.0.0.1:" + host.port() + "/kuiper-plugins/"));

    assertEquals("{\"random\":\"" + randomUrl + "\"}", get("true"));
    assertEquals(plain, get(null), "the plain call is eKuiper's listing, unchanged");
    assertEquals(plain, get("false"));
    assertEquals(1, heads.get("random").get());
    assertEquals(1, heads.get("kafka").get());

    // The host gains kafka: once the TTL has passed, the next verified call checks again.
    present.add("kafka");
    JsonNode again = JSON.readTree(get("true"));
    assertEquals(Set.of("kafka", "random"), Set.copyOf(iterable(again)));
    assertEquals(2, heads.get("kafka").get());

    Response bad = target("plugins/sources/prebuild").queryParam("verified", "1").request().get();
    assertEquals(400, bad.getStatus());
    assertEquals(
        "{\"error\":1000,\"message\":\"invalid verified 1: expected true or false\"}\n",
        bad.readEntity(String.class));
  }

  private static java.util.List<String> iterable(JsonNode o) {
    java.util.List<String> names = new java.util.ArrayList<>();
    o.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
