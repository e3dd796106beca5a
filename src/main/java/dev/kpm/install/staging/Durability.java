package dev.kpm.install.staging;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
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
 * bring a dropped plugin's files back (the next start would auto-load them).
 *
 * <p>A change of a few files ({@value #FSYNC_MAX} paths or fewer, most plugins) fsyncs each touched
 * file and every folder from its parent up to the home (a folder the moves created is an entry in
 * the one above it): about 2 ms for a small plugin, against about 9 ms for a process start and a
 * {@code syncfs} — which also makes the other nodes and the database on the same disk write back
 * what they have dirty. A larger change (a plugin of thousands of files) runs one {@code syncfs(2)}
 * of the home's file system through coreutils' {@code sync -f}: it writes back what is dirty, as
 * the B1 baseline's {@code sync} does, and costs one process start; a work file deleted before it
 * (the download, the scratch folder) is dropped, not written. Where that command is missing or
 * fails, the files and folders are fsynced one by one instead. Installs that finish together share
 * {@code syncfs} calls ({@link Group}). Thread-safe.
 */
public final class Durability {
  private static final Logger LOG = Logger.getLogger(Durability.class.getName());
  private static final List<String> SYNC_FS = List.of("sync", "-f");
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final Map<List<Object>, Group> GROUPS = new ConcurrentHashMap<>();

  /**
   * Up to this many touched paths, fsync one by one is cheaper than starting {@code sync -f}
   * (measured on ext4: 32 files of 25 KB 8 ms each way, 4 files 2 ms against 9 ms).
   */
  static final int FSYNC_MAX = 32;

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
    if (touched.size() <= FSYNC_MAX) {
      try {
        fsync(home, touched);
        return Method.FSYNC;
      } catch (AccessDeniedException e) {
        // A file kpm may not open (an install.sh took its read bit away): syncfs covers it.
      }
    }
    Group group = GROUPS.computeIfAbsent(List.of(syncFs, home), k -> new Group());
    if (group.flush(() -> syncFs(syncFs, timeout, home))) {
      return Method.SYNCFS;
    }
    fsync(home, touched);
    return Method.FSYNC;
  }

  private static void fsync(Path home, Collection<Path> touched) throws IOException {
    for (Path path : fsynced(home, touched)) {
      force(path);
    }
  }

  /**
   * What a flush by fsync covers, in order: each touched path, then each folder from a touched
   * path's parent up to the home, deepest first — a file moved into a folder the move created is
   * durable only once that folder's own entry is, one level up.
   */
  static List<Path> fsynced(Path home, Collection<Path> touched) {
    Set<Path> files = new LinkedHashSet<>();
    Set<Path> folders = new LinkedHashSet<>();
    Path top = home.toAbsolutePath().normalize();
    for (Path path : touched) {
      Path p = path.toAbsolutePath().normalize();
      files.add(p);
      for (Path folder = p.getParent();
          folder != null && folder.startsWith(top);
          folder = folder.getParent()) {
        folders.add(folder);
      }
    }
    List<Path> order = new ArrayList<>(files);
    List<Path> up = new ArrayList<>(folders);
    up.sort(java.util.Comparator.comparingInt(Path::getNameCount).reversed());
    order.addAll(up);
    return order;
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
