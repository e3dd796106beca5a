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
 * The child processes kpm starts and has not yet seen end — install.sh runs and portable plugin
 * processes — each recorded as a file in a folder of the home, named after its run marker ({@link
 * ProcessTree#MARKER}, set in the child's environment). The record is written before the child is
 * started ({@link #expect}), completed with its pid and start time once it runs ({@link
 * Record#started}), and removed when it ends. A kpm killed with SIGKILL cannot stop its children,
 * which are re-parented and keep running; at the next start {@link #stopSurvivors} finds them from
 * the records — every process carrying a recorded marker, and the recorded process itself if its
 * start time matches (pids are reused) — and stops them, SIGTERM then SIGKILL, before anything else
 * runs. Since the record exists before the child does, no moment of a child's life escapes it.
 * Thread-safe.
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

  /** The record of one child; closing it removes the record. */
  public interface Record extends AutoCloseable {
    /** The child runs: its pid and start time complete the record; it goes when the child ends. */
    void started(Process child);

    @Override
    void close();
  }

  /**
   * Records a child about to be started with the marker {@code runId}; {@code what} describes it
   * for the log of a later start. Call {@link Record#started} once it runs, or close the record if
   * it could not be started.
   */
  public Record expect(String runId, String what) {
    if (folder == null) {
      return new Record() {
        @Override
        public void started(Process child) {}

        @Override
        public void close() {}
      };
    }
    Path record = folder.resolve(runId);
    String description = what.replace('\n', ' ');
    write(record, runId + "\n" + description + "\n");
    return new Record() {
      @Override
      public void started(Process child) {
        String start = child.info().startInstant().map(Instant::toString).orElse("");
        try {
          write(record, runId + "\n" + description + "\n" + child.pid() + " " + start + "\n");
        } catch (UncheckedIOException e) {
          // The child already runs (a script may fill the disk at once): the record keeps its
          // run marker, which is enough for the next start to find its tree.
          LOG.warning(
              () ->
                  "child "
                      + child.pid()
                      + " ("
                      + description
                      + ") is recorded by its run marker only: "
                      + e.getCause());
        }
        child.onExit().thenRun(this::close);
      }

      @Override
      public void close() {
        forget(record);
      }
    };
  }

  private void write(Path record, String content) {
    try {
      Files.createDirectories(folder);
      Path tmp = folder.resolve(record.getFileName() + ".tmp");
      try {
        Files.writeString(tmp, content);
        move(tmp, record);
      } catch (IOException e) {
        Files.deleteIfExists(tmp);
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record a child process in " + folder, e);
    }
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
   * Stops what an earlier run of kpm left running: the tree of every recorded child still alive.
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
        if (!record.getFileName().toString().endsWith(".tmp")) {
          stopped.addAll(stop(record, grace));
        }
        Files.deleteIfExists(record);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the child records in " + folder, e);
    }
    return stopped;
  }

  private static List<String> stop(Path record, Duration grace) throws IOException {
    List<String> lines = Files.readAllLines(record, StandardCharsets.UTF_8);
    if (lines.size() < 2) {
      return List.of();
    }
    String runId = lines.get(0);
    String what = lines.get(1);
    Optional<ProcessHandle> root = lines.size() > 2 ? recorded(lines.get(2)) : Optional.empty();
    List<ProcessHandle> members = new ArrayList<>(new ProcessTree(root, runId).kill(grace));
    root.ifPresent(members::add);
    return members.stream().map(h -> h.pid() + " (" + what + ")").toList();
  }

  /** The process of a {@code <pid> <start time>} line, if it is still that process. */
  private static Optional<ProcessHandle> recorded(String line) {
    String[] parts = line.split(" ", 2);
    if (parts.length < 2 || !parts[0].matches("\\d+")) {
      return Optional.empty();
    }
    return ProcessHandle.of(Long.parseLong(parts[0]))
        .filter(h -> h.info().startInstant().map(Instant::toString).orElse("").equals(parts[1]));
  }
}
