package dev.kpm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
