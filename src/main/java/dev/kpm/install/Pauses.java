package dev.kpm.install;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Test-only pause points of the install pipeline, off by default (setting {@code kpm.test.pauseAt},
 * a comma-separated list of {@code <phase>:<plugin name>}). A change that reaches a listed phase
 * writes {@code <folder>/<phase>-<name>.reached} and blocks until {@code <phase>-<name>.release}
 * appears (at most {@link #LIMIT}), so a fault test can kill kpm, stop its database or fill its
 * disk at exactly that point, without guessing with sleeps. Phases: {@code stored} (a large native
 * archive is stored for the fleet and announced before it is extracted, as when other nodes are
 * live), {@code extracted} (the archive is checked and staged), {@code moved} (the files are in
 * place, the commit that records them not yet made), {@code dropping} (a drop's files are removed,
 * its row not yet), {@code started} (a portable plugin's new process runs, its commit not yet
 * made).
 */
public final class Pauses {
  /** No pause point: what every real deployment has. */
  public static final Pauses NONE = new Pauses(Set.of(), null);

  static final Duration LIMIT = Duration.ofMinutes(10);
  private static final Logger LOG = Logger.getLogger(Pauses.class.getName());
  private final Set<String> points;
  private final Path folder;

  private Pauses(Set<String> points, Path folder) {
    this.points = points;
    this.folder = folder;
  }

  /** The pause points of {@code spec}, signalled through files in {@code folder}. */
  public static Pauses of(String spec, Path folder) {
    Set<String> points =
        Arrays.stream(spec.split(","))
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toUnmodifiableSet());
    return points.isEmpty() ? NONE : new Pauses(points, folder);
  }

  /** Blocks here if {@code phase} of {@code plugin} is a pause point. */
  void at(String phase, String plugin) {
    String point = phase + ":" + plugin;
    if (!points.contains(point)) {
      return;
    }
    String file = phase + "-" + plugin;
    try {
      Files.createDirectories(folder);
      Files.writeString(folder.resolve(file + ".reached"), point + "\n");
      LOG.warning(() -> "test pause point " + point + " reached; waiting for " + file + ".release");
      long deadline = System.nanoTime() + LIMIT.toNanos();
      Path release = folder.resolve(file + ".release");
      try {
        while (!Files.exists(release) && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
      } finally {
        // Consumed, also when a cancel interrupted it: the next time it pauses again.
        Files.deleteIfExists(release);
        Files.deleteIfExists(folder.resolve(file + ".reached"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
