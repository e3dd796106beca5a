package dev.kpm.portable.sp;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Deadlines as {@link System#nanoTime()} instants; {@link #NONE} waits forever. */
final class Deadline {
  static final long NONE = Long.MAX_VALUE;
  private static final Duration FOREVER = Duration.ofDays(36_500);

  private Deadline() {}

  /**
   * Now plus {@code timeout}; negative timeouts count as zero, above 100 years as {@link #NONE}.
   */
  static long after(Duration timeout) {
    if (timeout.compareTo(FOREVER) >= 0) {
      return NONE;
    }
    return System.nanoTime() + Math.max(0, timeout.toNanos());
  }

  /** Nanoseconds left, at most {@code Long.MAX_VALUE}; zero or less when passed. */
  static long remaining(long deadline) {
    return deadline == NONE ? Long.MAX_VALUE : deadline - System.nanoTime();
  }

  static boolean passed(long deadline) {
    return remaining(deadline) <= 0;
  }

  /**
   * Waits until a key of {@code selector} is ready, the selector is woken, or the deadline passes
   * (then throws {@link SpTimeoutException} with {@code what}).
   */
  static void select(Selector selector, long deadline, String what) throws IOException {
    try {
      if (deadline == NONE) {
        selector.select();
      } else {
        long nanos = remaining(deadline);
        if (nanos <= 0) {
          throw new SpTimeoutException(what);
        }
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999)));
      }
      selector.selectedKeys().clear();
    } catch (ClosedSelectorException pipeClosed) {
      throw new AsynchronousCloseException();
    }
  }
}
