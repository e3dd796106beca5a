package dev.kpm;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What was started, to be stopped in reverse order. Each component stops itself within its own
 * bounded wait; a failure is logged and the rest still stop. Not thread-safe: owned by {@link
 * Bootstrap}, which starts and stops on the container's deploy thread.
 */
final class Teardown {
  private static final Logger LOG = Logger.getLogger(Teardown.class.getName());
  private final Deque<Entry> started = new ArrayDeque<>();

  private record Entry(String name, AutoCloseable component) {}

  <T extends AutoCloseable> T push(String name, T component) {
    started.push(new Entry(name, component));
    return component;
  }

  void stopAll() {
    while (!started.isEmpty()) {
      Entry entry = started.pop();
      try {
        entry.component().close();
        LOG.fine(() -> "stopped " + entry.name());
      } catch (Exception e) {
        LOG.log(Level.WARNING, "failed to stop " + entry.name(), e);
      }
    }
  }
}
