package dev.kpm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.testing.ApiTest;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Per-plugin serialisation (docs/api.md §9.11): one winner per name, different names in parallel.
 */
class ConcurrencyIT extends ApiTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private CompletableFuture<HttpResponse<String>> post(String type, String body) {
    return http.sendAsync(
        HttpRequest.newBuilder(getBaseUri().resolve("plugins/" + type))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void twentyConcurrentCreatesOfOneNameGiveExactlyOneCreated() {
    Path zip = TestPlugins.zip(fixtures.resolve("race.zip"), List.of(Entry.file("Race.so", "so")));
    String body = "{\"name\":\"race\",\"file\":\"file://" + zip + "\"}";
    List<HttpResponse<String>> responses =
        IntStream.range(0, 20).mapToObj(i -> post("sinks", body)).toList().stream()
            .map(CompletableFuture::join)
            .toList();
    assertEquals(1, responses.stream().filter(r -> r.statusCode() == 201).count());
    List<HttpResponse<String>> refused =
        responses.stream().filter(r -> r.statusCode() != 201).toList();
    assertEquals(19, refused.size());
    for (HttpResponse<String> r : refused) {
      assertEquals(400, r.statusCode());
      assertEquals(
          "{\"error\":1000,\"message\":\"sinks plugins create command error: invalid name race:"
              + " duplicate\"}\n",
          r.body());
    }
    assertEquals(1, kpm.count("SELECT count(*) FROM plugin WHERE name = 'race'"));
  }

  /**
   * Two installs whose scripts each wait for the other's marker file: they can only both succeed
   * when they run at the same time.
   */
  @Test
  void createsOfDifferentNamesRunInParallel() throws Exception {
    Path a = fixtures.resolve("a.marker");
    Path b = fixtures.resolve("b.marker");
    Path zipA = rendezvous("pa", a, b);
    Path zipB = rendezvous("pb", b, a);
    var first = post("sinks", "{\"name\":\"pa\",\"file\":\"file://" + zipA + "\"}");
    var second = post("sinks", "{\"name\":\"pb\",\"file\":\"file://" + zipB + "\"}");
    assertEquals(201, first.join().statusCode(), first.join().body());
    assertEquals(201, second.join().statusCode(), second.join().body());
  }

  /**
   * docs/api.md §12.3: concurrent changes extend one chain under its advisory lock — every create
   * has its event, numbered without a gap, and the chain verifies.
   */
  @Test
  void fiftyConcurrentInstallsLeaveFiftyEventsInOneUnbrokenChain() {
    List<CompletableFuture<HttpResponse<String>>> calls =
        IntStream.range(0, 50)
            .mapToObj(
                i -> {
                  Path zip =
                      TestPlugins.zip(
                          fixtures.resolve("c" + i + ".zip"),
                          List.of(Entry.file("Chain" + i + ".so", "so")));
                  return post(
                      "sinks", "{\"name\":\"chain" + i + "\",\"file\":\"file://" + zip + "\"}");
                })
            .toList();
    for (CompletableFuture<HttpResponse<String>> call : calls) {
      assertEquals(201, call.join().statusCode(), call.join().body());
    }
    assertEquals(
        50,
        kpm.count(
            "SELECT count(DISTINCT plugin_name) FROM audit_event WHERE action = 'plugin.create'"
                + " AND outcome = 'ok' AND plugin_name LIKE 'chain%'"));
    assertEquals(
        kpm.count("SELECT max(seq) FROM audit_event"),
        kpm.count("SELECT count(*) FROM audit_event"),
        "numbered 1, 2, 3… without a gap");
    assertEquals(
        0,
        kpm.count(
            "SELECT count(*) FROM audit_event e JOIN audit_event p ON p.seq = e.seq - 1"
                + " WHERE e.prev_hash <> p.hash"),
        "each event links to the one before it");
    assertEquals(
        1,
        kpm.count("SELECT count(*) FROM audit_event e WHERE e.prev_hash = repeat('0', 64)"),
        "one chain: one event starts it");
    assertTrue(kpm.runtime().audit().verify().ok());
  }

  private Path rendezvous(String name, Path mine, Path theirs) throws Exception {
    String script =
        "touch '"
            + mine
            + "'\n"
            + "i=0; while [ ! -e '"
            + theirs
            + "' ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done\n"
            + "[ -e '"
            + theirs
            + "' ]\n";
    String so = name.substring(0, 1).toUpperCase() + name.substring(1) + ".so";
    Path zip = fixtures.resolve(name + ".zip");
    TestPlugins.zip(zip, List.of(Entry.file(so, "so"), Entry.file("install.sh", script)));
    return Files.exists(zip) ? zip : null;
  }
}
