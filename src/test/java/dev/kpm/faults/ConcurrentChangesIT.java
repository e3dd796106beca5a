package dev.kpm.faults;

import static dev.kpm.testing.HomeAssertions.files;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kpm.testing.ApiTest;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Fifty clients at once on one plugin: fifty creates of one name give exactly one 201; fifty
 * updates are serialised, each answered, and the files on disk are those of the update that
 * committed last.
 */
class ConcurrentChangesIT extends ApiTest {
  private static final int CLIENTS = 50;
  private final HttpClient http = HttpClient.newHttpClient();

  private CompletableFuture<HttpResponse<String>> send(String method, String path, String body) {
    return http.sendAsync(
        HttpRequest.newBuilder(getBaseUri().resolve(path))
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static <T> List<T> all(List<CompletableFuture<T>> futures) {
    return futures.stream().map(CompletableFuture::join).toList();
  }

  @Test
  void fiftyConcurrentCreatesOfOneNameGiveExactlyOneCreated() {
    Path zip = TestPlugins.zip(fixtures.resolve("one.zip"), List.of(Entry.file("One.so", "so")));
    String body = "{\"name\":\"one\",\"file\":\"file://" + zip + "\"}";
    List<HttpResponse<String>> answers =
        all(
            IntStream.range(0, CLIENTS)
                .mapToObj(i -> send("POST", "plugins/sinks", body))
                .toList());
    assertEquals(1, answers.stream().filter(r -> r.statusCode() == 201).count());
    assertEquals(CLIENTS - 1, answers.stream().filter(r -> r.statusCode() == 400).count());
    assertEquals(List.of("One.so"), files(kpm.home().resolve("plugins/sinks")));
    assertEquals(1, kpm.count("SELECT count(*) FROM plugin WHERE name = 'one'"));
  }

  @Test
  void fiftyConcurrentUpdatesAreSerialisedAndTheLastCommittedOneIsOnDisk() throws Exception {
    Path v0 =
        TestPlugins.zip(
            fixtures.resolve("up0.zip"),
            List.of(Entry.file("Up@v0.so", "v0"), Entry.file("up.yaml", "version: 0\n")));
    assertEquals(
        201,
        send("POST", "plugins/sources", "{\"name\":\"up\",\"file\":\"file://" + v0 + "\"}")
            .join()
            .statusCode());
    Map<String, Integer> versionBySha = new HashMap<>();
    List<CompletableFuture<HttpResponse<String>>> updates =
        IntStream.rangeClosed(1, CLIENTS)
            .mapToObj(
                v -> {
                  Path zip =
                      TestPlugins.zip(
                          fixtures.resolve("up" + v + ".zip"),
                          List.of(
                              Entry.file("Up@v" + v + ".so", "v" + v),
                              Entry.file("up.yaml", "version: " + v + "\n")));
                  versionBySha.put(sha256(zip), v);
                  return send(
                      "PUT",
                      "plugins/sources/up",
                      "{\"name\":\"up\",\"file\":\"file://" + zip + "\"}");
                })
            .toList();

    List<HttpResponse<String>> answers = all(updates);

    assertEquals(CLIENTS, answers.stream().filter(r -> r.statusCode() == 200).count());
    String lastSha =
        kpm.sqlString(
            "SELECT sha256 FROM install_record WHERE plugin_name = 'up' AND state = 'SUCCEEDED'"
                + " ORDER BY id DESC LIMIT 1");
    int last = versionBySha.get(lastSha);
    assertEquals(
        "{\"name\":\"up\",\"version\":\"" + last + "\"}",
        send("GET", "plugins/sources/up", "").join().body());
    assertEquals(List.of("Up@v" + last + ".so"), files(kpm.home().resolve("plugins/sources")));
    assertEquals(
        "v" + last, Files.readString(kpm.home().resolve("plugins/sources/Up@v" + last + ".so")));
    assertEquals(
        "version: " + last + "\n", Files.readString(kpm.home().resolve("etc/sources/up.yaml")));
    assertEquals(
        CLIENTS + 1,
        kpm.count(
            "SELECT count(*) FROM install_record WHERE plugin_name = 'up' AND state = 'SUCCEEDED'"));
  }

  private static String sha256(Path file) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
