package dev.kpm.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PrebuildChecksTest {
  private final ExecutorService threads = Executors.newFixedThreadPool(4);
  private final AtomicLong now = new AtomicLong();

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  private static Map<String, String> listing() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("kafka", "https://h/kafka.zip");
    m.put("random", "https://h/random.zip");
    return m;
  }

  private PrebuildChecks checks(PrebuildChecks.Probe probe, Duration total) {
    return new PrebuildChecks(probe, Duration.ofHours(1), total, 4, threads, now::get);
  }

  @Test
  void listsOnlyTheEntriesWhoseUrlIsReachable() {
    PrebuildChecks checks =
        checks(url -> url.toString().contains("random"), Duration.ofSeconds(10));
    assertEquals(Map.of("random", "https://h/random.zip"), checks.reachable(listing()));
  }

  @Test
  void answersAreKeptUntilTheTtlPassesThenEachUrlIsProbedAgain() {
    Map<String, AtomicInteger> probes = new ConcurrentHashMap<>();
    Set<String> up = ConcurrentHashMap.newKeySet();
    up.add("https://h/random.zip");
    PrebuildChecks checks =
        checks(
            url -> {
              probes.computeIfAbsent(url.toString(), u -> new AtomicInteger()).incrementAndGet();
              return up.contains(url.toString());
            },
            Duration.ofSeconds(10));
    assertEquals(Set.of("random"), checks.reachable(listing()).keySet());

    up.add("https://h/kafka.zip"); // changes, but the answers are still fresh
    now.addAndGet(Duration.ofMinutes(59).toNanos());
    assertEquals(Set.of("random"), checks.reachable(listing()).keySet());
    assertEquals(1, probes.get("https://h/kafka.zip").get());

    now.addAndGet(Duration.ofMinutes(1).toNanos()); // the TTL has passed
    assertEquals(Set.of("kafka", "random"), checks.reachable(listing()).keySet());
    assertEquals(2, probes.get("https://h/kafka.zip").get());
    assertEquals(2, probes.get("https://h/random.zip").get());
  }

  @Test
  void concurrentFirstCallsShareOneProbePerUrl() throws Exception {
    AtomicInteger probes = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    PrebuildChecks checks =
        checks(
            url -> {
              probes.incrementAndGet();
              return release.await(10, TimeUnit.SECONDS);
            },
            Duration.ofSeconds(20));
    ExecutorService callers = Executors.newFixedThreadPool(3);
    try {
      List<Future<Map<String, String>>> answers =
          List.of(
              callers.submit(() -> checks.reachable(listing())),
              callers.submit(() -> checks.reachable(listing())),
              callers.submit(() -> checks.reachable(listing())));
      while (probes.get() < 2) {
        Thread.onSpinWait();
      }
      release.countDown();
      for (Future<Map<String, String>> a : answers) {
        assertEquals(listing(), a.get(10, TimeUnit.SECONDS));
      }
      assertEquals(2, probes.get(), "one probe per URL for three callers");
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void aProbeThatHangsIsCutAtTheTotalBoundAndCountsAsUnreachable() {
    CountDownLatch never = new CountDownLatch(1);
    PrebuildChecks checks =
        checks(
            url -> {
              if (url.equals(URI.create("https://h/kafka.zip"))) {
                never.await();
              }
              return true;
            },
            Duration.ofMillis(300));
    long started = System.nanoTime();
    assertEquals(Map.of("random", "https://h/random.zip"), checks.reachable(listing()));
    assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5));
  }

  @Test
  void aProbeThatThrowsCountsAsUnreachable() {
    PrebuildChecks checks =
        checks(
            url -> {
              throw new IllegalStateException("boom");
            },
            Duration.ofSeconds(10));
    assertEquals(Map.of(), checks.reachable(listing()));
  }
}
