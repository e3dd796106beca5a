package dev.kpm.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The child processes kpm started and has not yet seen end — install.sh runs and portable plugin
 * processes — each recorded as a file in a folder of the home: its pid, start time and run marker
 * ({@link ProcessTree#MARKER}). The record is written before kpm waits on the child and removed
 * when the child ends. A kpm killed with SIGKILL cannot stop its children, which are re-parented
 * and keep running; at the next start {@link #stopSurvivors} finds them from the records — the
 * process itself only if its start time matches (pids are reused), the rest of its tree by its
 * marker — and stops them, SIGTERM then SIGKILL, before anything else runs. Thread-safe.
 */
public final class Children {
  private static final Logger LOG = Logger.getLogger(Children.class.getName());
  private final Path folder;

  /** Records children in {@code folder}; {@code null} records nothing. */
  public Children(Path folder) {
    this.folder = folder;
  }

  /** Records nothing: for a process kpm does not start from a home (unit tests). */
  public static Children none() {
    return new Children(null);
  }

  /** The record of one child; closing it removes the record at once. */
  public interface Record extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Records {@code child}, started with the marker {@code runId}, until it ends (or the returned
   * record is closed, whichever comes first). {@code what} describes it for the log of a later
   * start.
   */
  public Record track(Process child, String runId, String what) {
    if (folder == null) {
      return () -> {};
    }
    Path record = folder.resolve(Long.toString(child.pid()));
    String start = child.info().startInstant().map(Instant::toString).orElse("");
    try {
      Files.createDirectories(folder);
      Path tmp = folder.resolve(child.pid() + ".tmp");
      Files.writeString(tmp, start + "\n" + runId + "\n" + what.replace('\n', ' ') + "\n");
      move(tmp, record);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record child process " + child.pid(), e);
    }
    child.onExit().thenRun(() -> forget(record));
    return () -> forget(record);
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void forget(Path record) {
    try {
      Files.deleteIfExists(record);
    } catch (IOException e) {
      LOG.warning("cannot remove the record " + record + ": " + e);
    }
  }

  /**
   * Stops what an earlier run of kpm left running: every recorded child still alive, and its tree.
   * Call it once, before kpm starts any child of its own.
   *
   * @return one line per process stopped, for the log
   */
  public List<String> stopSurvivors(Duration grace) {
    if (folder == null || !Files.isDirectory(folder)) {
      return List.of();
    }
    List<String> stopped = new ArrayList<>();
    try (Stream<Path> records = Files.list(folder)) {
      for (Path record : records.sorted().toList()) {
        stopped.addAll(stop(record, grace));
        Files.deleteIfExists(record);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the child records in " + folder, e);
    }
    return stopped;
  }

  private static List<String> stop(Path record, Duration grace) throws IOException {
    String file = record.getFileName().toString();
    if (!file.matches("\\d+")) {
      return List.of(); // a record cut short while it was written
    }
    List<String> lines = Files.readAllLines(record, StandardCharsets.UTF_8);
    if (lines.size() < 3) {
      return List.of();
    }
    long pid = Long.parseLong(file);
    String start = lines.get(0);
    String runId = lines.get(1);
    String what = lines.get(2);
    Optional<ProcessHandle> root =
        ProcessHandle.of(pid)
            .filter(h -> h.info().startInstant().map(Instant::toString).orElse("").equals(start));
    List<ProcessHandle> stopped = new ProcessTree(root, runId).kill(grace);
    List<ProcessHandle> members = new ArrayList<>(stopped);
    root.ifPresent(members::add);
    return members.stream().map(h -> h.pid() + " (" + what + ")").toList();
  }
}
