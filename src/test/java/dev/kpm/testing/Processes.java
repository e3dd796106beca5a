package dev.kpm.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Checks on processes a test expects to be gone. */
public final class Processes {
  private Processes() {}

  /**
   * True when {@code pid} is gone or a zombie within {@code within}: a killed orphan stays a zombie
   * until init reaps it, and the JDK counts zombies as alive.
   */
  public static boolean deadWithin(long pid, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) || zombie(pid)) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  private static boolean zombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException e) {
      return true;
    }
  }
}
