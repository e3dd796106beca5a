package dev.kpm.install.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file:// source that is a FIFO is refused without being opened (opening one would block until a
 * writer came). Java cannot make a FIFO, so this runs coreutils' {@code mkfifo}.
 */
@Timeout(20)
class DownloaderFileIT {
  @TempDir Path dir;
  private Path outside;
  private Path target;

  @BeforeEach
  void folders() throws Exception {
    outside = Files.createDirectories(dir.resolve("elsewhere"));
    target = Files.createDirectories(dir.resolve("tmp")).resolve("download.zip");
  }

  private String failure(URI uri) {
    DownloadPolicy policy =
        new DownloadPolicy(Duration.ofSeconds(10), 1 << 20, false, null, false, Set.of());
    DownloadException e =
        assertThrows(DownloadException.class, () -> new Downloader(policy).fetch(uri, target));
    assertFalse(Files.exists(target), "the target must be deleted after a failure");
    return e.getMessage();
  }

  @Test
  void fifoIsRefusedWithoutBeingOpened() throws Exception {
    Path fifo = outside.resolve("fifo.zip");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertEquals(true, mkfifo.waitFor(10, TimeUnit.SECONDS), "mkfifo (coreutils) must run");
    assertEquals(0, mkfifo.exitValue(), "mkfifo (coreutils) must succeed");

    assertEquals(fifo + " is not a regular file", failure(URI.create("file://" + fifo)));
  }
}
