package dev.kpm.install;

import dev.kpm.install.staging.Staging;
import dev.kpm.plugin.InstallOperation;
import dev.kpm.plugin.PluginException;
import dev.kpm.plugin.PluginType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;

/**
 * One install job while kpm runs it (docs/api.md §8.15): its phase, the bytes downloaded so far,
 * the install.sh output so far, and at the end the status and text the synchronous call answers.
 * The job's record in the database is the install record of the same id. Thread-safe.
 */
final class LiveJob {
  static final int OUTPUT_CAP = 64 * 1024;
  static final String QUEUED = "queued";
  static final String DOWNLOADING = "downloading";
  static final String VERIFYING = "verifying";
  static final String STORING = "storing";
  static final String EXTRACTING = "extracting";
  static final String SCRIPT = "running install.sh";
  static final String COMMITTING = "committing";
  static final String STARTING = "starting process";
  static final String DONE = "done";
  static final String FAILED = "failed";

  /** Past these a job can no longer be cancelled: its files are moving into the home folder. */
  private static final Set<String> UNCANCELLABLE = Set.of(COMMITTING, STARTING, DONE, FAILED);

  final long id;
  final PluginType type;
  final String name;
  final InstallOperation op;
  final String requestedBy;
  final Instant startedAt = Instant.now();

  /** The staging folder of a job queued before it runs (asynchronous requests), else null. */
  final Staging staging;

  private String phase = QUEUED;
  private Path download;
  private Long bytesTotal;
  private Long downloaded;
  private boolean cancelled;
  private String cancelledBy;
  private Thread worker;
  private final StringBuilder output = new StringBuilder();
  private boolean outputTruncated;
  private Integer status;
  private String text;
  private Instant finishedAt;
  private boolean attempted;

  /** Hears of every phase change and of the end (lifecycle events); must not block. */
  private final java.util.function.Consumer<JobView> changed;

  LiveJob(
      long id,
      PluginType type,
      String name,
      InstallOperation op,
      String requestedBy,
      Staging staging,
      java.util.function.Consumer<JobView> changed) {
    this.changed = changed;
    this.id = id;
    this.type = type;
    this.name = name;
    this.op = op;
    this.requestedBy = requestedBy;
    this.staging = staging;
  }

  /** Moves to {@code next}; a cancelled job stops here instead. */
  synchronized void phase(String next) {
    if (cancelled && !next.equals(FAILED)) {
      throw cancelledError();
    }
    boolean change = !next.equals(phase);
    phase = next;
    if (change) {
      changed.accept(view());
    }
  }

  synchronized void downloading(Path file) {
    phase(DOWNLOADING);
    download = file;
  }

  /** The download is complete: its size stays shown after the staging folder is gone. */
  synchronized void downloaded(long bytes) {
    downloaded = bytes;
  }

  synchronized void bytesTotal(long size) {
    bytesTotal = size;
  }

  /** The thread running the job, which a cancel interrupts. */
  synchronized void runsOn(Thread thread) {
    if (cancelled) {
      throw cancelledError();
    }
    worker = thread;
  }

  synchronized void finishedRunning() {
    worker = null;
  }

  /**
   * Cancels the job: a running download is aborted and an install.sh tree killed (by interrupting
   * the job's thread); what was staged is removed as after any failure.
   *
   * @throws PluginException 409 once the job commits, or when it has ended
   */
  synchronized void cancel(String by) {
    if (UNCANCELLABLE.contains(phase)) {
      throw PluginException.conflict(
          "cannot cancel job "
              + id
              + ": it is "
              + (phase.equals(DONE) || phase.equals(FAILED) ? "already " + phase : phase)
              + (phase.equals(COMMITTING) || phase.equals(STARTING) ? "; it will finish" : ""));
    }
    if (cancelled) {
      return;
    }
    cancelled = true;
    cancelledBy = by;
    if (worker != null) {
      worker.interrupt();
    }
  }

  synchronized boolean cancelled() {
    return cancelled;
  }

  /** The error a cancelled job ends with. */
  synchronized PluginException cancelledError() {
    return PluginException.invalid("job " + id + " was cancelled by " + cancelledBy);
  }

  synchronized void output(String line) {
    output.append(line).append('\n');
    if (output.length() > OUTPUT_CAP) {
      output.delete(0, output.length() - OUTPUT_CAP);
      outputTruncated = true;
    }
  }

  synchronized void ended(int status, String text) {
    if (finishedAt != null) {
      return;
    }
    this.phase = status < 300 ? DONE : FAILED;
    this.status = status;
    this.text = text;
    this.finishedAt = Instant.now();
    this.worker = null;
    notifyAll();
    changed.accept(view());
  }

  /** The attempt took over the queued record and staging folder (it closes them itself). */
  synchronized void markAttempted() {
    attempted = true;
  }

  synchronized boolean attempted() {
    return attempted;
  }

  /** Waits until the job has ended, at most {@code limit}. */
  synchronized void awaitEnd(java.time.Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    try {
      while (finishedAt == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        wait(Math.max(1, left / 1_000_000));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  synchronized boolean finished() {
    return finishedAt != null;
  }

  /** The job as {@code GET /jobs/{id}} shows it. */
  synchronized JobView view() {
    Long done = downloaded;
    if (download != null && downloaded == null) {
      try {
        if (Files.exists(download)) {
          done = Files.size(download);
        }
      } catch (java.io.IOException e) {
        done = null;
      }
    }
    return new JobView(
        id,
        type.word(),
        name,
        op.name().toLowerCase(java.util.Locale.ROOT),
        finishedAt == null ? "running" : (status < 300 ? "succeeded" : "failed"),
        phase,
        done,
        bytesTotal,
        output.length() == 0 ? null : (outputTruncated ? "…" : "") + output,
        requestedBy,
        startedAt.toString(),
        finishedAt == null ? null : finishedAt.toString(),
        status,
        text);
  }
}
