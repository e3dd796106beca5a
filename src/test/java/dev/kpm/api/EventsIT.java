package dev.kpm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.Settings;
import dev.kpm.testing.ApiTest;
import dev.kpm.testing.Await;
import dev.kpm.testing.ProbePlugins;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /events} over real HTTP (docs/api.md §8.16): a portable plugin's install, crash and
 * restart arrive on an open stream; a reconnect with {@code Last-Event-ID} gets what it missed; an
 * unknown id gets {@code reset}; the principal of a change is shown to admins only.
 */
class EventsIT extends ApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private String admin;
  private String viewer;
  private final List<Stream<String>> open = new CopyOnWriteArrayList<>();

  @Override
  protected Map<Settings.Key, String> settings() {
    return Map.of(Settings.Key.AUTH, "token", Settings.Key.HANDSHAKE_TIMEOUT, "PT20S");
  }

  @BeforeAll
  void tokens() throws IOException {
    admin = Files.readString(kpm.home().resolve("etc/initial-admin-token")).strip();
    viewer =
        call("POST", "auth/tokens", admin, "{\"name\":\"watcher\",\"role\":\"viewer\"}")
            .get("token")
            .asText();
  }

  @AfterAll
  void closeStreams() {
    open.forEach(Stream::close);
  }

  private JsonNode call(String method, String path, String token, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(target().getUri().resolve(path))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    try {
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      assertTrue(r.statusCode() < 300, method + " " + path + ": " + r.body());
      return r.body().isEmpty() || !r.body().startsWith("{") ? null : JSON.readTree(r.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** One event as received: id, event name and JSON data. */
  private record Received(long id, String name, JsonNode data) {}

  /** An open stream collecting its events in the background. */
  private final class Events {
    final List<Received> got = new CopyOnWriteArrayList<>();
    final List<String> comments = new CopyOnWriteArrayList<>();

    Events(String token, String lastEventId) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(target().getUri().resolve("events"))
              .header("Authorization", "Bearer " + token)
              .header("Accept", "text/event-stream");
      if (lastEventId != null) {
        b.header("Last-Event-ID", lastEventId);
      }
      HttpResponse<Stream<String>> r;
      try {
        r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofLines());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      assertEquals(200, r.statusCode());
      assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
      Stream<String> lines = r.body();
      open.add(lines);
      CompletableFuture.runAsync(() -> read(lines));
    }

    private void read(Stream<String> lines) {
      long[] id = {-1};
      String[] name = {null};
      StringBuilder data = new StringBuilder();
      try {
        lines.forEach(
            line -> {
              if (line.startsWith(":")) {
                comments.add(line.substring(1).strip());
              } else if (line.startsWith("id:")) {
                id[0] = Long.parseLong(line.substring(3).strip());
              } else if (line.startsWith("event:")) {
                name[0] = line.substring(6).strip();
              } else if (line.startsWith("data:")) {
                data.append(line.substring(5).strip());
              } else if (line.isEmpty() && data.length() > 0) {
                try {
                  got.add(new Received(id[0], name[0], JSON.readTree(data.toString())));
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
                id[0] = -1;
                name[0] = null;
                data.setLength(0);
              }
            });
      } catch (RuntimeException e) {
        // the stream was closed by the test
      }
    }

    Received await(String what, Predicate<Received> p) {
      return Await.value(() -> what + " among " + got, Duration.ofSeconds(60), () -> find(p));
    }

    Received find(Predicate<Received> p) {
      return got.stream().filter(p).findFirst().orElse(null);
    }
  }

  private static Predicate<Received> named(String name, String plugin) {
    return e -> e.name().equals(name) && plugin.equals(e.data().path("name").asText());
  }

  @Test
  void aPortablePluginsInstallCrashAndRestartArriveAndAReconnectMissesNothing() {
    Events adminStream = new Events(admin, null);
    Events viewerStream = new Events(viewer, null);
    Await.until(
        "both streams open",
        () -> !adminStream.comments.isEmpty() && !viewerStream.comments.isEmpty());
    Path zip = ProbePlugins.zip(fixtures, "evented", "v1.0.0");
    call(
        "POST",
        "plugins/portables",
        admin,
        "{\"name\":\"evented\",\"file\":\"file://" + zip + "\"}");

    Received created = adminStream.await("plugin.created", named("plugin.created", "evented"));
    assertEquals("portables", created.data().get("pluginType").asText());
    assertEquals("v1.0.0", created.data().get("versionAfter").asText());
    assertTrue(created.data().get("by").asText().startsWith("initial-admin"), created.toString());
    Received started = adminStream.await("portable.started", named("portable.started", "evented"));
    Received done =
        adminStream.await(
            "the job done",
            e -> e.name().equals("job") && e.data().get("phase").asText().equals("done"));
    assertEquals(201, done.data().get("status").asInt());
    assertFalse(
        viewerStream
            .await("plugin.created for the viewer", named("plugin.created", "evented"))
            .data()
            .has("by"),
        "the principal is for admins only");

    // The viewer goes away; the plugin crashes and is restarted meanwhile.
    long lastSeen = viewerStream.got.get(viewerStream.got.size() - 1).id();
    long pid = started.data().get("pid").asLong();
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    Received exited = adminStream.await("portable.exited", named("portable.exited", "evented"));
    assertEquals(pid, exited.data().get("pid").asLong());
    assertEquals("signal: killed", exited.data().get("exit").asText());
    Received restarted =
        adminStream.await("portable.restarted", named("portable.restarted", "evented"));

    Events back = new Events(viewer, Long.toString(lastSeen));
    Received replayedExit = back.await("the missed exit", named("portable.exited", "evented"));
    assertEquals(exited.id(), replayedExit.id());
    back.await("the missed restart", e -> e.id() == restarted.id());
    List<Long> ids = new ArrayList<>(back.got.stream().map(Received::id).toList());
    assertTrue(ids.get(0) == lastSeen + 1, "replay starts right after " + lastSeen + ": " + ids);

    Events stale = new Events(viewer, "999999999");
    Received reset = stale.await("reset", e -> e.name().equals("reset"));
    assertTrue(reset.data().get("reason").asText().contains("reload"), reset.toString());
  }

  @Test
  void aStreamNeedsACredential() throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(target().getUri() + "events")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(401, r.statusCode());
  }
}
