package dev.kpm.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/** The PostgreSQL processes that work on one data folder, found through the folder itself. */
final class Postmaster {
  private static final Logger LOG = Logger.getLogger(Postmaster.class.getName());
  private static final Path PROC = Path.of("/proc");

  private Postmaster() {}

  /** The live postmaster named by the folder's {@code postmaster.pid}, if any. */
  static Optional<ProcessHandle> of(Path dataDir) {
    Path pidFile = dataDir.resolve("postmaster.pid");
    List<String> lines;
    try {
      lines = Files.readAllLines(pidFile);
    } catch (IOException e) {
      return Optional.empty();
    }
    if (lines.isEmpty() || !lines.get(0).strip().matches("\\d+")) {
      return Optional.empty();
    }
    return ProcessHandle.of(Long.parseLong(lines.get(0).strip()))
        .filter(ProcessHandle::isAlive)
        .filter(h -> h.info().command().map(c -> c.endsWith("/postgres")).orElse(false));
  }

  /**
   * A launcher killed with SIGKILL leaves its PostgreSQL running on the data folder, which would
   * refuse a second server. The folder is kpm's own, so that orphan is stopped first (SIGTERM: its
   * clients died with the old JVM; SIGKILL after 30 s — PostgreSQL recovers from either).
   */
  static void stopOrphan(Path dataDir) {
    of(dataDir)
        .ifPresent(
            orphan -> {
              LOG.warning("stopping PostgreSQL " + orphan.pid() + " left running on " + dataDir);
              orphan.destroy();
              try {
                orphan.onExit().get(30, TimeUnit.SECONDS);
              } catch (TimeoutException e) {
                orphan.destroyForcibly();
                orphan.onExit().join();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (ExecutionException e) {
                throw new IllegalStateException(e);
              }
            });
    killLeftovers(dataDir);
  }

  /**
   * SIGKILLs the server processes still working in {@code dataDir} after their postmaster died (a
   * backend finishing a query, the checkpointer): while one of them holds the old shared memory,
   * PostgreSQL refuses to start on the folder. They are recognised by their working directory,
   * which PostgreSQL sets to the data folder, so another server's processes are never touched.
   */
  static void killLeftovers(Path dataDir) {
    Path folder;
    try {
      folder = dataDir.toRealPath();
    } catch (IOException e) {
      return; // no folder, no server working in it
    }
    List<ProcessHandle> leftovers =
        ProcessHandle.allProcesses()
            .filter(h -> h.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
            .filter(h -> workingDirectory(h).map(folder::equals).orElse(false))
            .toList();
    for (ProcessHandle h : leftovers) {
      LOG.warning("killing PostgreSQL process " + h.pid() + " left behind on " + dataDir);
      h.destroyForcibly();
    }
    for (ProcessHandle h : leftovers) {
      try {
        h.onExit().get(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | TimeoutException e) {
        LOG.warning("PostgreSQL process " + h.pid() + " did not exit: " + e);
      }
    }
  }

  private static Optional<Path> workingDirectory(ProcessHandle h) {
    try {
      return Optional.of(Files.readSymbolicLink(PROC.resolve(h.pid() + "/cwd")).normalize());
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return Optional.empty();
    }
  }
}
