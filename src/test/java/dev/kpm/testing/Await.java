package dev.kpm.testing;

import java.time.Duration;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition instead of sleeping for a guessed time: checks it every few milliseconds
 * until it holds or a generous deadline passes (2 shared cores), then fails saying what was
 * awaited. The only place in the tests that sleeps for synchronisation: everything else waits on a
 * condition through here, or on a latch, a future or a blocking call with a timeout.
 */
public final class Await {
  /** The default deadline: long enough for a loaded machine, short enough to fail a hang. */
  public static final Duration LONG = Duration.ofSeconds(60);

  private static final long STEP_MILLIS = 20;

  private Await() {}

  public static void until(String what, BooleanSupplier condition) {
    until(what, LONG, condition);
  }

  public static void until(String what, Duration within, BooleanSupplier condition) {
    value(what, within, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
  }

  /** As {@link #until(String, Duration, BooleanSupplier)}, described at the failure. */
  public static void until(Supplier<String> what, Duration within, BooleanSupplier condition) {
    value(what, within, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
  }

  /** The first non-null value {@code probe} returns within the deadline. */
  public static <T> T value(String what, Duration within, Supplier<T> probe) {
    return value(() -> what, within, probe);
  }

  /**
   * As {@link #value(String, Duration, Supplier)}, the description made at the failure, so it can
   * say what was last seen.
   */
  public static <T> T value(Supplier<String> what, Duration within, Supplier<T> probe) {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      T value = probe.get();
      if (value != null) {
        return value;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + within + ": " + what.get());
      }
      step(what);
    }
  }

  /**
   * Whether {@code condition} holds within {@code within}, for callers that decide themselves what
   * a miss means (the benchmarks count it rather than fail).
   */
  public static boolean poll(Duration within, BooleanSupplier condition) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline || !pause()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Waits until {@code thread} is blocked (waiting, with or without a timeout) inside {@code
   * frame}, a {@code SimpleClassName.method} on its stack: for a test that must act only once
   * another thread waits in a known place, say a receive that a close must wake.
   */
  public static void blockedIn(String frame, Thread thread) {
    int dot = frame.lastIndexOf('.');
    String type = frame.substring(0, dot);
    String method = frame.substring(dot + 1);
    until(
        thread.getName() + " waits in " + frame,
        () -> {
          Thread.State state = thread.getState();
          if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) {
            return false;
          }
          return Arrays.stream(thread.getStackTrace())
              .anyMatch(
                  e ->
                      e.getMethodName().equals(method)
                          && (e.getClassName().endsWith("." + type)
                              || e.getClassName().endsWith("$" + type)));
        });
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
      step(() -> what);
    }
  }

  private static void step(Supplier<String> what) {
    if (!pause()) {
      throw new AssertionError("interrupted while waiting for: " + what.get());
    }
  }

  /** The one sleep: a step of the polling loop; false (interrupt kept) when interrupted. */
  private static boolean pause() {
    try {
      Thread.sleep(STEP_MILLIS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
