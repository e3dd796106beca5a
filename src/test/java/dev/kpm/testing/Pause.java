package dev.kpm.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The test side of kpm's pause points (setting {@code kpm.test.pauseAt}): wait until a change has
 * reached a phase, break something, then let it go on.
 */
public final class Pause {
  private Pause() {}

  /** Waits until {@code phase} of plugin {@code name} is reached in the kpm home {@code home}. */
  public static void awaitReached(Path home, String phase, String name) {
    Path reached = folder(home).resolve(phase + "-" + name + ".reached");
    Await.until(phase + " of " + name + " reached", () -> Files.exists(reached));
  }

  /** Lets the paused change go on. */
  public static void release(Path home, String phase, String name) {
    try {
      Files.createDirectories(folder(home));
      Files.writeString(folder(home).resolve(phase + "-" + name + ".release"), "go\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path folder(Path home) {
    return home.resolve(".kpm").resolve("pauses");
  }
}
