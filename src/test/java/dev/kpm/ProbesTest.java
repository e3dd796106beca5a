package dev.kpm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kpm.persistence.DatabaseUnavailableException;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@code GET /ready}'s answer: the start-up state, a cached and single-flight database check. */
class ProbesTest {
  private static final String DOWN =
      "database unavailable: kpm cannot reach its PostgreSQL database; try again later";
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final AtomicInteger pings = new AtomicInteger();
  private final AtomicBoolean up = new AtomicBoolean(true);

  private void ping() {
    pings.incrementAndGet();
    if (!up.get()) {
      throw new DatabaseUnavailableException("down", null);
    }
  }

  @Test
  void notReadyBeforeTheStartUpReconcileWithoutAskingTheDatabase() {
    Probes probes = new Probes(() -> false, this::ping, null, now::get);
    assertEquals(Optional.of(Probes.STARTING), probes.notReady());
    assertEquals(0, pings.get());
  }

  @Test
  void aProbeStormWithinOneSecondCostsOneDatabaseCheckAndTheNextSecondSeesTheOutage() {
    Probes probes = new Probes(() -> true, this::ping, null, now::get);
    for (int i = 0; i < 100; i++) {
      assertEquals(Optional.empty(), probes.notReady());
    }
    assertEquals(1, pings.get());
    up.set(false);
    now.addAndGet(Probes.FRESH.toNanos() - 1);
    assertEquals(Optional.empty(), probes.notReady(), "still the cached answer");
    now.addAndGet(1);
    assertEquals(Optional.of(DOWN), probes.notReady());
    assertEquals(2, pings.get());
    up.set(true);
    now.addAndGet(Probes.FRESH.toNanos());
    assertEquals(Optional.empty(), probes.notReady());
  }

  @Test
  void probesArrivingDuringASlowCheckGetTheLastAnswerInsteadOfASecondCheck() throws Exception {
    CountDownLatch inCheck = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean slow = new AtomicBoolean();
    Probes probes =
        new Probes(
            () -> true,
            () -> {
              pings.incrementAndGet();
              if (slow.get()) {
                inCheck.countDown();
                try {
                  release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                throw new DatabaseUnavailableException("frozen", null);
              }
            },
            null,
            now::get);
    assertEquals(Optional.empty(), probes.notReady());
    slow.set(true);
    now.addAndGet(Probes.FRESH.toNanos());
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Optional<String>> first = pool.submit(probes::notReady);
      inCheck.await(10, TimeUnit.SECONDS);
      assertEquals(Optional.empty(), probes.notReady(), "the last answer, not a second check");
      release.countDown();
      assertEquals(Optional.of(DOWN), first.get(10, TimeUnit.SECONDS));
      assertEquals(2, pings.get());
    } finally {
      pool.shutdownNow();
    }
  }
}
