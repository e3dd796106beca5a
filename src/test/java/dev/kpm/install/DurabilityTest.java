package dev.kpm.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@link Durability} makes the home folder durable, and its fallback. */
class DurabilityTest {
  @TempDir Path home;

  private List<Path> touched() throws Exception {
    Path written = Files.writeString(home.resolve("plugins/sources/Random.so"), "so");
    return List.of(written, home.resolve("etc/sources/removed.yaml"));
  }

  @Test
  void oneSyncfsOfTheHomesFileSystemWhereCoreutilsHasSyncF() throws Exception {
    Files.createDirectories(home.resolve("plugins/sources"));
    assertEquals(Durability.Method.SYNCFS, Durability.flush(home, touched()));
  }

  @Test
  void withoutTheSyncCommandEachTouchedFileAndFolderIsFsyncedRemovedOnesSkipped() throws Exception {
    Files.createDirectories(home.resolve("plugins/sources"));
    assertEquals(
        Durability.Method.FSYNC,
        Durability.flush(List.of("/nonexistent/sync"), Duration.ofSeconds(5), home, touched()));
  }

  @Test
  void aFailingSyncFallsBackToFsync() throws Exception {
    Files.createDirectories(home.resolve("plugins/sources"));
    assertEquals(
        Durability.Method.FSYNC,
        Durability.flush(List.of("false"), Duration.ofSeconds(5), home, touched()));
  }

  @Test
  void aHangingSyncIsKilledAfterItsTimeoutAndFallsBackToFsync() throws Exception {
    Files.createDirectories(home.resolve("plugins/sources"));
    long started = System.nanoTime();
    assertEquals(
        Durability.Method.FSYNC,
        Durability.flush(
            List.of("sh", "-c", "sleep 30", "sh"), Duration.ofMillis(300), home, touched()));
    assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 20, "not waited out");
  }
}
