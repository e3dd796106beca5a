package dev.kpm.install;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One fair lock per key, created on demand and dropped when nobody holds or waits for it, so work
 * on one plugin is serialised while work on different plugins runs in parallel. Thread-safe.
 */
final class KeyedLocks {
  private final ConcurrentHashMap<String, Holder> locks = new ConcurrentHashMap<>();

  private static final class Holder {
    final ReentrantLock lock = new ReentrantLock(true);
    int users;
  }

  <T> T with(String key, Supplier<T> work) {
    Holder holder =
        locks.compute(
            key,
            (k, h) -> {
              Holder held = h == null ? new Holder() : h;
              held.users++;
              return held;
            });
    holder.lock.lock();
    try {
      return work.get();
    } finally {
      holder.lock.unlock();
      locks.computeIfPresent(key, (k, h) -> --h.users == 0 ? null : h);
    }
  }
}
