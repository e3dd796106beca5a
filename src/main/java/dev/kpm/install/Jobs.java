package dev.kpm.install;

import dev.kpm.plugin.PluginException;
import dev.kpm.plugin.PluginType;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Runs plugin changes on the install executor, holding the lock of their (type, name): one change
 * per plugin at a time, different plugins in parallel (docs/api.md §9.11). Thread-safe.
 */
final class Jobs {
  private final ExecutorService executor;
  private final KeyedLocks locks = new KeyedLocks();

  Jobs(ExecutorService executor) {
    this.executor = executor;
  }

  <T> T locked(PluginType type, String name, Supplier<T> work) {
    Future<T> job;
    try {
      job = executor.submit(() -> locks.with(type.word() + "/" + name, work));
    } catch (RejectedExecutionException e) {
      throw PluginException.invalid("too many plugin operations in progress, try again later");
    }
    try {
      return job.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PluginException.invalid("interrupted while kpm was stopping");
    }
  }
}
