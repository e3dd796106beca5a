package dev.kpm.security;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Failed authentications per client and minute: past {@code max}, the client's requests are refused
 * with 429 without checking their credentials until the minute is over. Bounded: at most {@link
 * #MAX_CLIENTS} clients are remembered (a flood from many addresses resets the memory rather than
 * growing it).
 */
public final class FailureLimiter {
  static final int MAX_CLIENTS = 10_000;
  private static final long MINUTE_NANOS = 60_000_000_000L;

  private static final class Window {
    final long start;
    int failures;

    Window(long start) {
      this.start = start;
    }
  }

  private final int max;
  private final LongSupplier nanos;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  public FailureLimiter(int max) {
    this(max, System::nanoTime);
  }

  FailureLimiter(int max, LongSupplier nanos) {
    this.max = max;
    this.nanos = nanos;
  }

  /** Seconds until this client may try again, or 0 when it may now. */
  public long blockedFor(String client) {
    Window w = windows.get(client);
    if (w == null) {
      return 0;
    }
    synchronized (w) {
      long left = w.start + MINUTE_NANOS - nanos.getAsLong();
      if (left <= 0) {
        windows.remove(client, w);
        return 0;
      }
      return w.failures >= max ? Math.max(1, left / 1_000_000_000L) : 0;
    }
  }

  /** How many clients are remembered now. */
  int remembered() {
    return windows.size();
  }

  /** Counts a failed authentication of this client. */
  public void failed(String client) {
    long now = nanos.getAsLong();
    // Room is made only for a client not yet remembered: at capacity, a known client's next
    // failure must count, not wipe its own window (and everyone else's) with the rest.
    if (!windows.containsKey(client) && windows.size() >= MAX_CLIENTS) {
      windows.values().removeIf(w -> now - w.start >= MINUTE_NANOS);
      if (windows.size() >= MAX_CLIENTS) {
        windows.clear();
      }
    }
    Window w =
        windows.compute(
            client,
            (k, old) -> old == null || now - old.start >= MINUTE_NANOS ? new Window(now) : old);
    synchronized (w) {
      w.failures++;
    }
  }
}
