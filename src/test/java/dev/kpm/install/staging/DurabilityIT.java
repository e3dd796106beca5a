package dev.kpm.install.staging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@link Durability} makes the home folder durable, and its fallback. */
class DurabilityIT {
  @TempDir Path home;

  /** A file written below the home and one removed from it. */
  private List<Path> touched() throws Exception {
    Files.createDirectories(home.resolve("plugins/sources"));
    Path written = Files.writeString(home.resolve("plugins/sources/Random.so"), "so");
    return List.of(written, home.resolve("etc/sources/removed.yaml"));
  }

  /** More files than an fsync each is worth: a plugin of many files, and one removed. */
  private List<Path> many() throws Exception {
    Path folder = Files.createDirectories(home.resolve("plugins/portable/big/lib"));
    List<Path> paths = new ArrayList<>();
    for (int i = 0; i <= Durability.FSYNC_MAX; i++) {
      paths.add(Files.writeString(folder.resolve("part" + i), "x"));
    }
    paths.add(home.resolve("etc/sources/removed.yaml"));
    return paths;
  }

  @Test
  void aChangeOfAFewFilesIsFsyncedWithoutStartingTheSyncCommand() throws Exception {
    Path ran = home.resolveSibling(home.getFileName() + "-sync-ran");
    List<String> marking = List.of("sh", "-c", "touch \"$0\"", ran.toString());
    assertEquals(
        Durability.Method.FSYNC, Durability.flush(marking, Duration.ofSeconds(5), home, touched()));
    assertFalse(Files.exists(ran), "sync -f was started for two files");
    assertEquals(
        Durability.Method.SYNCFS, Durability.flush(marking, Duration.ofSeconds(5), home, many()));
    assertTrue(Files.exists(ran), "sync -f was not started for many files");
    Files.delete(ran);
  }

  @Test
  void anFsyncCoversEveryFolderFromTheFileUpToTheHomeDeepestFirst() {
    Path so = home.resolve("plugins/portable/new/bin/new");
    Path yaml = home.resolve("etc/sources/removed.yaml");
    assertEquals(
        List.of(
            so,
            yaml,
            home.resolve("plugins/portable/new/bin"),
            home.resolve("plugins/portable/new"),
            home.resolve("plugins/portable"),
            home.resolve("etc/sources"),
            home.resolve("plugins"),
            home.resolve("etc"),
            home),
        Durability.fsynced(home, List.of(so, yaml)));
  }

  @Test
  void oneSyncfsOfTheHomesFileSystemForManyFilesWhereCoreutilsHasSyncF() throws Exception {
    assertEquals(Durability.Method.SYNCFS, Durability.flush(home, many()));
  }

  @Test
  void withoutTheSyncCommandEachTouchedFileAndFolderIsFsyncedRemovedOnesSkipped() throws Exception {
    assertEquals(
        Durability.Method.FSYNC,
        Durability.flush(List.of("/nonexistent/sync"), Duration.ofSeconds(5), home, many()));
  }

  @Test
  void aFailingSyncFallsBackToFsync() throws Exception {
    assertEquals(
        Durability.Method.FSYNC,
        Durability.flush(List.of("false"), Duration.ofSeconds(5), home, many()));
  }

  @Test
  void aHangingSyncIsKilledAfterItsTimeoutAndFallsBackToFsync() throws Exception {
    long started = System.nanoTime();
    assertEquals(
        Durability.Method.FSYNC,
        Durability.flush(
            List.of("sh", "-c", "sleep 30", "sh"), Duration.ofMillis(300), home, many()));
    assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 20, "not waited out");
  }

  @Test
  void concurrentFlushesShareCallsButNoneIsCoveredByACallThatStartedBeforeItAsked()
      throws Exception {
    Durability.Group group = new Durability.Group();
    AtomicInteger calls = new AtomicInteger();
    CountDownLatch firstRunning = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    List<Long> callStarts = new CopyOnWriteArrayList<>();
    BooleanSupplier syncFs =
        () -> {
          callStarts.add(System.nanoTime());
          if (calls.incrementAndGet() == 1) {
            firstRunning.countDown();
            await(releaseFirst);
          }
          return true;
        };
    ExecutorService pool = Executors.newFixedThreadPool(9);
    try {
      Future<Boolean> first = pool.submit(() -> group.flush(syncFs));
      assertTrue(firstRunning.await(10, TimeUnit.SECONDS));
      long asked = System.nanoTime();
      List<Future<Boolean>> later = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        later.add(pool.submit(() -> group.flush(syncFs)));
      }
      Await.until(
          "all eight wait behind the running call",
          Duration.ofSeconds(10),
          () -> group.requested() == 9);
      assertEquals(1, calls.get(), "nobody is covered by a call that started before it asked");
      releaseFirst.countDown();
      assertTrue(first.get(10, TimeUnit.SECONDS));
      for (Future<Boolean> f : later) {
        assertTrue(f.get(10, TimeUnit.SECONDS));
      }
      assertEquals(2, calls.get(), "the eight share one call");
      assertTrue(callStarts.get(1) > asked);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFailedCallIsReportedAndTheNextCallRunsAgain() {
    Durability.Group group = new Durability.Group();
    assertFalse(group.flush(() -> false));
    assertTrue(group.flush(() -> true));
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
