package dev.kpm.install;

import dev.kpm.persistence.DatabaseUnavailableException;
import dev.kpm.plugin.InstallOperation;
import dev.kpm.plugin.PluginException;
import dev.kpm.plugin.PluginType;
import dev.kpm.threads.NamedThreads;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Runs plugin changes on the install executor, holding the lock of their (type, name): one change
 * per plugin at a time, different plugins in parallel (docs/api.md §9.11). Thread-safe.
 *
 * <p>It also keeps the work a change could not finish because the database stopped answering — an
 * install record to close, a commit of unknown outcome to settle, a drop to complete ({@link
 * #settleLater}). Such work runs, under the plugin's lock, before the next change of that plugin
 * and every {@link #SWEEP_SECONDS} seconds in the background, until the database lets it finish:
 * disk and database agree again as soon as the database is back, without a restart.
 */
final class Jobs implements AutoCloseable {
  static final long SWEEP_SECONDS = 2;
  private static final Logger LOG = Logger.getLogger(Jobs.class.getName());
  private final ExecutorService executor;
  private final KeyedLocks locks = new KeyedLocks();
  private final Map<String, List<Runnable>> unsettled = new LinkedHashMap<>();
  private final ScheduledExecutorService sweeper;
  private final JobBoard board = new JobBoard();

  Jobs(ExecutorService executor) {
    this.executor = executor;
    this.sweeper = Executors.newSingleThreadScheduledExecutor(NamedThreads.of("kpm-settle-"));
    sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
  }

  JobBoard board() {
    return board;
  }

  <T> T locked(PluginType type, String name, Supplier<T> work) {
    String key = key(type, name);
    Future<T> job;
    try {
      job = executor.submit(() -> locks.with(key, () -> tracked(key, work)));
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

  /**
   * Runs {@code work} for {@code job}, queued by an asynchronous request, on the install executor
   * under the plugin's lock, without waiting: {@code ended} gets what the synchronous call would
   * have answered.
   */
  void submit(LiveJob job, Supplier<String> work, Runnable ended) {
    String key = key(job.type, job.name);
    try {
      executor.submit(
          () -> {
            JobBoard.current(job);
            try {
              locks.with(key, () -> tracked(key, work));
            } catch (RuntimeException e) {
              // tracked() has ended the job with this failure.
            } finally {
              JobBoard.current(null);
              ended.run();
            }
          });
    } catch (RejectedExecutionException e) {
      throw PluginException.invalid("too many plugin operations in progress, try again later");
    }
  }

  /**
   * Runs one change on this thread: its job (if the change opens one) ends with what the call
   * answers — the success text with 201 (create) or 200, or the refusal.
   */
  private <T> T tracked(String key, Supplier<T> work) {
    Optional<LiveJob> queued = JobBoard.current();
    try {
      queued.ifPresent(j -> j.runsOn(Thread.currentThread()));
      settle(key);
      T result = work.get();
      JobBoard.current()
          .ifPresent(
              j ->
                  j.ended(
                      j.op == InstallOperation.CREATE ? 201 : 200,
                      result instanceof String text ? text : null));
      return result;
    } catch (RuntimeException e) {
      RuntimeException shown =
          JobBoard.current()
              .filter(LiveJob::cancelled)
              .map(j -> (RuntimeException) j.cancelledError())
              .orElse(e);
      JobBoard.current().ifPresent(j -> j.ended(statusOf(shown), shown.getMessage()));
      throw shown;
    } finally {
      JobBoard.current().ifPresent(LiveJob::finishedRunning);
      if (queued.isEmpty()) {
        JobBoard.current(null);
      }
      // A cancel's interrupt must not outlive the job on this pooled thread.
      Thread.interrupted();
    }
  }

  private static int statusOf(RuntimeException e) {
    if (e instanceof PluginException pe) {
      return pe.status();
    }
    return e instanceof DatabaseUnavailableException ? 503 : 500;
  }

  /**
   * Keeps {@code work} for a plugin until it completes: it must be idempotent and throw {@link
   * DatabaseUnavailableException} while the database is still away. Call it under the plugin's
   * lock.
   */
  void settleLater(PluginType type, String name, Runnable work) {
    synchronized (unsettled) {
      unsettled.computeIfAbsent(key(type, name), k -> new ArrayList<>()).add(work);
    }
  }

  /** Whether some work waits for the database (for tests and status). */
  boolean hasUnsettled() {
    synchronized (unsettled) {
      return !unsettled.isEmpty();
    }
  }

  /** Runs a plugin's unsettled work, in order; stops at the first that still cannot finish. */
  private void settle(String key) {
    while (true) {
      Runnable next;
      synchronized (unsettled) {
        List<Runnable> work = unsettled.get(key);
        if (work == null) {
          return;
        }
        next = work.get(0);
      }
      try {
        next.run(); // throws while the database is unavailable: the work stays
      } catch (DatabaseUnavailableException e) {
        throw e;
      } catch (RuntimeException e) {
        // A bug, not an outage: keeping it would block the plugin; the next start's reconcile
        // settles whatever it left from the database's records.
        LOG.log(java.util.logging.Level.SEVERE, "giving up unsettled work of " + key, e);
      }
      synchronized (unsettled) {
        List<Runnable> work = unsettled.get(key);
        work.remove(0);
        if (work.isEmpty()) {
          unsettled.remove(key);
        }
      }
      LOG.info(() -> "settled work of " + key + " left by a database outage");
    }
  }

  private void sweep() {
    List<String> keys;
    synchronized (unsettled) {
      keys = List.copyOf(unsettled.keySet());
    }
    for (String key : keys) {
      try {
        locks.with(
            key,
            () -> {
              settle(key);
              return null;
            });
      } catch (DatabaseUnavailableException e) {
        return; // still away: try again at the next sweep
      } catch (RuntimeException e) {
        LOG.warning("cannot settle the work of " + key + " left by a database outage: " + e);
      }
    }
  }

  private static String key(PluginType type, String name) {
    return type.word() + "/" + name;
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
  }
}
