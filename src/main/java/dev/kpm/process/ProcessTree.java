package dev.kpm.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The processes one script run started: the shell, its descendants, and — because a process whose
 * parent exited is re-parented away from the shell and no longer shows up as a descendant — every
 * process of ours whose environment carries the run's marker variable (the technique of Jenkins'
 * ProcessTreeKiller). A process that clears its environment and detaches escapes; so does one
 * running as another user. Not thread-safe: used by the one thread running the script.
 */
public final class ProcessTree {
  /** Environment variable set in the script's environment to find its processes later. */
  public static final String MARKER = "KPM_SCRIPT_RUN";

  private static final Path PROC = Path.of("/proc");
  private static final long POLL_MILLIS = 50;

  private final ProcessHandle shell;
  private final byte[] markerEntry;

  public ProcessTree(Process shell, String runId) {
    this(shell.toHandle(), runId);
  }

  /**
   * The tree of a run started earlier, perhaps by a JVM that is gone: {@code root} when it still
   * runs (it is then the last member), and every process carrying the run's marker.
   */
  public ProcessTree(Optional<ProcessHandle> root, String runId) {
    this(root.orElse(null), runId);
  }

  private ProcessTree(ProcessHandle root, String runId) {
    this.shell = root;
    this.markerEntry = (MARKER + "=" + runId).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Collects the tree, sends SIGTERM to every member deepest first and the shell last, waits up to
   * {@code grace} for them to exit, then SIGKILLs the survivors and waits up to {@code grace}
   * again. An interrupt while waiting skips to SIGKILL and is re-asserted on return.
   *
   * @return the processes other than the shell that were alive when collected
   */
  public List<ProcessHandle> kill(Duration grace) {
    List<ProcessHandle> members = members();
    stop(members, grace);
    return shell == null ? members : members.subList(0, members.size() - 1);
  }

  private static void stop(List<ProcessHandle> members, Duration grace) {
    members.forEach(ProcessHandle::destroy);
    boolean interrupted = !awaitExit(members, grace);
    members.stream().filter(ProcessTree::running).forEach(ProcessHandle::destroyForcibly);
    interrupted |= !awaitExit(members, grace);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Live members, deepest first, the shell last (when there is one). */
  public List<ProcessHandle> members() {
    Map<Long, ProcessHandle> found = new LinkedHashMap<>();
    if (shell != null) {
      shell.descendants().forEach(h -> found.put(h.pid(), h));
    }
    marked().forEach(h -> found.putIfAbsent(h.pid(), h));
    if (shell != null) {
      found.remove(shell.pid());
    }
    found.values().removeIf(h -> !running(h));
    Map<ProcessHandle, Integer> depths = new HashMap<>();
    found.values().forEach(h -> depths.put(h, depth(h, found)));
    List<ProcessHandle> ordered = new ArrayList<>(found.values());
    ordered.sort(Comparator.comparing(depths::get, Comparator.reverseOrder()));
    if (shell != null) {
      ordered.add(shell);
    }
    return ordered;
  }

  private List<ProcessHandle> marked() {
    if (!Files.isDirectory(PROC)) {
      return List.of();
    }
    long self = ProcessHandle.current().pid();
    return ProcessHandle.allProcesses()
        .filter(h -> h.pid() != self)
        .filter(this::carriesMarker)
        .toList();
  }

  private boolean carriesMarker(ProcessHandle process) {
    byte[] environ;
    try {
      environ = Files.readAllBytes(PROC.resolve(Long.toString(process.pid())).resolve("environ"));
    } catch (IOException | SecurityException e) {
      return false; // gone, or another user's
    }
    for (int start = 0, end; start < environ.length; start = end + 1) {
      end = indexOfNul(environ, start);
      if (Arrays.equals(environ, start, end, markerEntry, 0, markerEntry.length)) {
        return true;
      }
    }
    return false;
  }

  private static int indexOfNul(byte[] bytes, int from) {
    int i = from;
    while (i < bytes.length && bytes[i] != 0) {
      i++;
    }
    return i;
  }

  private static int depth(ProcessHandle process, Map<Long, ProcessHandle> members) {
    int depth = 0;
    Optional<ProcessHandle> parent = process.parent();
    while (parent.isPresent()
        && members.containsKey(parent.get().pid())
        && depth < members.size()) {
      depth++;
      parent = parent.get().parent();
    }
    return depth;
  }

  /**
   * Alive and not a zombie. The JDK counts a zombie as alive, but a killed orphan stays one until
   * init reaps it — never, where kpm's JVM itself is PID 1 in a container.
   */
  public static boolean running(ProcessHandle process) {
    if (!process.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(PROC.resolve(Long.toString(process.pid())).resolve("stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException | RuntimeException e) {
      return process.isAlive(); // no /proc (not Linux), or it is gone by now
    }
  }

  /**
   * Polls until none of {@code processes} is alive or {@code limit} passed; false if interrupted.
   */
  private static boolean awaitExit(List<ProcessHandle> processes, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (processes.stream().anyMatch(ProcessTree::running) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        return false;
      }
    }
    return true;
  }
}
