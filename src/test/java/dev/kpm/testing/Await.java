package dev.kpm.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition instead of sleeping for a guessed time: checks it every few milliseconds
 * until it holds or a generous deadline passes (2 shared cores), then fails saying what was
 * awaited.
 */
public final class Await {
  /** The default deadline: long enough for a loaded machine, short enough to fail a hang. */
  public static final Duration LONG = Duration.ofSeconds(60);

  private Await() {}

  public static void until(String what, BooleanSupplier condition) {
    until(what, LONG, condition);
  }

  public static void until(String what, Duration within, BooleanSupplier condition) {
    value(what, within, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
  }

  /** The first non-null value {@code probe} returns within the deadline. */
  public static <T> T value(String what, Duration within, Supplier<T> probe) {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      T value = probe.get();
      if (value != null) {
        return value;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + within + ": " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for: " + what, e);
      }
    }
  }

  /**
   * Asserts that {@code condition} keeps holding for {@code period}: for the absence of something
   * that would otherwise happen within that time (a restart after its backoff, say).
   */
  public static void holds(String what, Duration period, BooleanSupplier condition) {
    long end = System.nanoTime() + period.toNanos();
    while (System.nanoTime() < end) {
      if (!condition.getAsBoolean()) {
        throw new AssertionError("stopped holding: " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
