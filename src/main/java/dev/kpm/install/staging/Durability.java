package dev.kpm.install.staging;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * Makes changes to the home folder durable before the database commit that records them, so that a
 * power cut after the commit can neither leave a registered plugin with empty or missing files nor
 * bring a dropped plugin's files back (the next start would auto-load them). One {@code syncfs(2)}
 * of the home's file system through coreutils' {@code sync -f}: it writes back what is dirty, as
 * the B1 baseline's {@code sync} does, and costs one process start; a work file deleted before it
 * (the download, the scratch folder) is dropped, not written. Where that command is missing or
 * fails, each touched file and its folder is fsynced instead. Installs that finish together share
 * calls ({@link Group}). Thread-safe.
 */
public final class Durability {
  private static final Logger LOG = Logger.getLogger(Durability.class.getName());
  private static final List<String> SYNC_FS = List.of("sync", "-f");
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final Map<List<Object>, Group> GROUPS = new ConcurrentHashMap<>();

  /** How a flush was done. */
  enum Method {
    SYNCFS,
    FSYNC
  }

  private Durability() {}

  /**
   * Flushes the file system of {@code home}; {@code touched} are the paths changed (files written
   * or moved in, or removed), for the per-file fallback.
   */
  public static Method flush(Path home, Collection<Path> touched) throws IOException {
    return flush(SYNC_FS, TIMEOUT, home, touched);
  }

  static Method flush(List<String> syncFs, Duration timeout, Path home, Collection<Path> touched)
      throws IOException {
    Group group = GROUPS.computeIfAbsent(List.of(syncFs, home), k -> new Group());
    if (group.flush(() -> syncFs(syncFs, timeout, home))) {
      return Method.SYNCFS;
    }
    Set<Path> folders = new LinkedHashSet<>();
    for (Path path : touched) {
      force(path);
      if (path.getParent() != null) {
        folders.add(path.getParent());
      }
    }
    for (Path folder : folders) {
      force(folder);
    }
    return Method.FSYNC;
  }

  /**
   * Group commit of the syncfs calls on one file system: a caller is covered by any call that
   * started after it asked, so installs that finish together share one call instead of queueing one
   * each (each call waits for all writeback in flight). One call runs at a time; a caller that
   * finds none running and itself not yet covered runs the next one, for every request made so far.
   * An interrupted wait reports false: the caller then fsyncs its own files.
   */
  static final class Group {
    private long requested;
    private long covered;
    private boolean coveredOk;
    private boolean running;

    /** How many flushes were asked for so far. */
    synchronized long requested() {
      return requested;
    }

    boolean flush(BooleanSupplier syncFs) {
      long upTo;
      synchronized (this) {
        long mine = ++requested;
        while (true) {
          if (covered >= mine) {
            // The last call ended after one that started after this request: its result holds.
            return coveredOk;
          }
          if (!running) {
            running = true;
            upTo = requested;
            break;
          }
          try {
            wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        }
      }
      boolean ok = false;
      try {
        ok = syncFs.getAsBoolean();
        return ok;
      } finally {
        synchronized (this) {
          running = false;
          covered = upTo;
          coveredOk = ok;
          notifyAll();
        }
      }
    }
  }

  private static boolean syncFs(List<String> command, Duration timeout, Path home) {
    List<String> argv = new ArrayList<>(command);
    argv.add(home.toString());
    try {
      Process p =
          new ProcessBuilder(argv)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        LOG.warning(() -> String.join(" ", argv) + " took over " + timeout + "; fsync per file");
        return false;
      }
      if (p.exitValue() != 0) {
        LOG.warning(() -> String.join(" ", argv) + " failed; fsync per file");
        return false;
      }
      return true;
    } catch (IOException e) {
      LOG.fine(() -> "no " + command.get(0) + " command (" + e.getMessage() + "); fsync per file");
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** fsync of a file or folder; a path that no longer exists needs none. */
  private static void force(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (NoSuchFileException e) {
      // removed meanwhile: nothing to make durable
    }
  }
}
