package dev.kpm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.Settings;
import dev.kpm.testing.EmbeddedTomcat;
import dev.kpm.testing.ProbePlugins;
import dev.kpm.testing.TestKpm;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The crash → event latency of {@code GET /events} (docs/api.md §8.16), for {@code
 * bench/events.sh}. A benchmark, not a test (a main class). kpm runs in this JVM on an embedded
 * Tomcat with an embedded PostgreSQL and the libnng probe as a portable plugin; the bench reads the
 * event stream over HTTP like any client. Each round SIGKILLs the plugin's process and times, from
 * the kill:
 *
 * <ul>
 *   <li>the baseline: {@code ProcessHandle.onExit()} of the same process in this JVM — the earliest
 *       a supervisor on this machine can know of the exit;
 *   <li>{@code portable.exited} arriving on the stream;
 *   <li>{@code portable.started} of the restarted process (kpm's backoff of 0.5 s included).
 * </ul>
 *
 * <p>Between rounds the plugin is updated with the same zip, so every crash is a first one.
 *
 * <p>Usage: {@code EventLatencyBench <rounds>}; prints one {@code round …} line per round and
 * {@code exit_p50_ms=… exit_p99_ms=… baseline_p50_ms=… baseline_p99_ms=… restart_p50_ms=…
 * restart_p99_ms=…}.
 */
public final class EventLatencyBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EventLatencyBench() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    Path dir = Files.createTempDirectory("kpm-bench-events-");
    // Crash loops would end the restarts: allow every round's crash.
    try (TestKpm kpm =
            TestKpm.start(
                dir.resolve("home"),
                dev.kpm.testing.TestDatabase.fresh(),
                Map.of(
                    Settings.Key.CRASH_LOOP_RESTARTS,
                    Integer.toString(rounds * 2 + 10),
                    Settings.Key.HANDSHAKE_TIMEOUT,
                    "PT20S"));
        EmbeddedTomcat http = EmbeddedTomcat.start(kpm.runtime()::mount)) {
      BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<Stream<String>> stream =
          client.send(
              HttpRequest.newBuilder(http.uri().resolve("events")).build(),
              HttpResponse.BodyHandlers.ofLines());
      Thread reader =
          new Thread(
              () ->
                  stream
                      .body()
                      .filter(l -> l.startsWith("data:"))
                      .forEach(
                          l -> {
                            try {
                              events.add(JSON.readTree(l.substring(5).strip()));
                            } catch (Exception e) {
                              throw new IllegalStateException(e);
                            }
                          }),
              "bench-events-reader");
      reader.setDaemon(true);
      reader.start();

      Path zip = ProbePlugins.zip(dir, "bench", "v1.0.0");
      HttpResponse<String> created =
          http.send(
              "POST", "plugins/portables", "{\"name\":\"bench\",\"file\":\"file://" + zip + "\"}");
      if (created.statusCode() != 201) {
        throw new IllegalStateException("install failed: " + created.body());
      }
      long pid = await(events, "portable.started", Duration.ofSeconds(30)).get("pid").asLong();

      List<Double> exits = new ArrayList<>();
      List<Double> baselines = new ArrayList<>();
      List<Double> restarts = new ArrayList<>();
      for (int r = 1; r <= rounds; r++) {
        if (r > 1) {
          // An update starts the plugin afresh: each round's crash is a first crash (backoff 0.5 s)
          // instead of one more in a row (the backoff doubles until the process has run 60 s).
          events.clear();
          HttpResponse<String> updated =
              http.send(
                  "PUT",
                  "plugins/portables/bench",
                  "{\"name\":\"bench\",\"file\":\"file://" + zip + "\"}");
          if (updated.statusCode() != 200) {
            throw new IllegalStateException("update failed: " + updated.body());
          }
          pid = await(events, "portable.started", Duration.ofSeconds(30)).get("pid").asLong();
        }
        ProcessHandle p = ProcessHandle.of(pid).orElseThrow();
        var exited = p.onExit();
        events.clear();
        long t0 = System.nanoTime();
        p.destroyForcibly();
        exited.get(10, TimeUnit.SECONDS);
        double baseline = ms(System.nanoTime() - t0);
        JsonNode exit = await(events, "portable.exited", Duration.ofSeconds(10));
        double exitMs = ms(System.nanoTime() - t0);
        if (exit.get("pid").asLong() != pid) {
          throw new IllegalStateException("exit of another process: " + exit);
        }
        JsonNode started = await(events, "portable.started", Duration.ofSeconds(30));
        double restartMs = ms(System.nanoTime() - t0);
        pid = started.get("pid").asLong();
        baselines.add(baseline);
        exits.add(exitMs);
        restarts.add(restartMs);
        System.out.printf(
            "round %d baseline_ms=%.2f exit_ms=%.2f restart_ms=%.1f%n",
            r, baseline, exitMs, restartMs);
      }
      System.out.printf(
          "exit_p50_ms=%.2f exit_p99_ms=%.2f baseline_p50_ms=%.2f baseline_p99_ms=%.2f"
              + " restart_p50_ms=%.1f restart_p99_ms=%.1f rounds=%d%n",
          pct(exits, 50),
          pct(exits, 99),
          pct(baselines, 50),
          pct(baselines, 99),
          pct(restarts, 50),
          pct(restarts, 99),
          rounds);
      stream.body().close();
    }
    System.exit(0);
  }

  /**
   * Takes the first event of {@code type} that arrives within {@code limit}; any other is skipped.
   */
  private static JsonNode await(BlockingQueue<JsonNode> events, String type, Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      JsonNode e = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
      if (e == null) {
        throw new IllegalStateException("no " + type + " event within " + limit);
      }
      if (type.equals(e.path("type").asText())) {
        return e;
      }
    }
  }

  private static double ms(long nanos) {
    return nanos / 1_000_000.0;
  }

  private static double pct(List<Double> values, int p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }
}
