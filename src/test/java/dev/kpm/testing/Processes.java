package dev.kpm.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Checks on processes a test expects to be gone. */
public final class Processes {
  private Processes() {}

  /**
   * Waits until {@code pid} is gone or a zombie (a killed orphan stays a zombie until init reaps
   * it, and the JDK counts zombies as alive); fails saying {@code what} after {@code within}.
   */
  public static void awaitDead(long pid, String what, Duration within) {
    Await.until(what + " (pid " + pid + " ends)", within, () -> !alive(pid));
  }

  /** Runs a command to its end (bounded), failing with its output when it fails. */
  public static String run(List<String> command, Duration within) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(within.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new AssertionError(command + " failed:\n" + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Whether {@code pid} still runs (not gone, not a zombie). */
  public static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !zombie(pid);
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
