package dev.kpm.install;

import dev.kpm.install.staging.Staging;
import dev.kpm.plugin.InstallOperation;
import dev.kpm.plugin.PluginType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The install jobs kpm is running, and the last {@link #KEEP_FINISHED} it finished, in memory
 * (docs/api.md §8.15); older jobs are read from their install records. The job a thread works on is
 * its {@link #current} one, so the pipeline reports phases without passing it around.
 */
final class JobBoard {
  static final int KEEP_FINISHED = 200;
  private static final ThreadLocal<LiveJob> CURRENT = new ThreadLocal<>();
  private final Map<Long, LiveJob> jobs = new ConcurrentHashMap<>();
  private volatile java.util.function.Consumer<JobView> changes = v -> {};

  /** Who hears of every job's phase changes and end (the lifecycle events); must not block. */
  void onChange(java.util.function.Consumer<JobView> listener) {
    this.changes = listener;
  }

  LiveJob open(
      long id,
      PluginType type,
      String name,
      InstallOperation op,
      String requestedBy,
      Staging staging) {
    LiveJob job = new LiveJob(id, type, name, op, requestedBy, staging, v -> changes.accept(v));
    jobs.put(id, job);
    prune();
    changes.accept(job.view());
    return job;
  }

  Optional<LiveJob> get(long id) {
    return Optional.ofNullable(jobs.get(id));
  }

  List<LiveJob> all() {
    List<LiveJob> out = new ArrayList<>(jobs.values());
    out.sort(Comparator.comparingLong((LiveJob j) -> j.id).reversed());
    return out;
  }

  /** Forgets the oldest finished jobs beyond {@link #KEEP_FINISHED}. */
  private void prune() {
    List<LiveJob> done =
        jobs.values().stream()
            .filter(LiveJob::finished)
            .sorted(Comparator.comparingLong(j -> j.id))
            .toList();
    for (int i = 0; i < done.size() - KEEP_FINISHED; i++) {
      jobs.remove(done.get(i).id);
    }
  }

  static Optional<LiveJob> current() {
    return Optional.ofNullable(CURRENT.get());
  }

  static void current(LiveJob job) {
    if (job == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(job);
    }
  }

  /** Reports a phase of the current job, if the thread works on one. */
  static void phase(String phase) {
    current().ifPresent(j -> j.phase(phase));
  }

  /** The logger install.sh output goes to: {@code base}, and the current job's output as well. */
  static Logger scriptLog(Logger base) {
    Optional<LiveJob> job = current();
    if (job.isEmpty()) {
      return base;
    }
    Logger log = Logger.getAnonymousLogger();
    log.setParent(base);
    log.setLevel(base.getLevel());
    LiveJob j = job.get();
    log.addHandler(
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            j.output(r.getMessage());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        });
    return log;
  }
}
