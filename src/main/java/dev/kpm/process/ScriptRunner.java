package dev.kpm.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Runs a plugin's shell script the way eKuiper runs {@code install.sh}, plus a timeout.
 *
 * <p>A run owns its processes and two reader threads only for the duration of {@link #run}; nothing
 * outlives the call except, in the corner case below, an abandoned reader thread. <b>A script must
 * not leave processes behind:</b> when the shell exits, every process it started that is still
 * running (daemons included) is killed like a timed-out tree. Such processes are found as the
 * shell's descendants and by the {@value ProcessTree#MARKER} environment variable each run sets; a
 * process that clears its environment and detaches, or runs as another user, escapes — if it keeps
 * stdout or stderr open, its reader thread is abandoned after a bounded wait and ends when the pipe
 * closes. Thread-safe: concurrent runs share nothing.
 */
public final class ScriptRunner {
  /** SIGTERM → SIGKILL grace, and the wait for SIGKILLed processes to disappear. */
  static final Duration GRACE = Duration.ofSeconds(2);

  /** How long to wait for end of output after the shell exited and leftovers were killed. */
  static final Duration READER_WAIT = Duration.ofSeconds(5);

  private static final File NO_INPUT = new File("/dev/null");

  private ScriptRunner() {}

  /**
   * Runs {@code /bin/sh <script absolute path> <args…>} with the arguments as argv (never through a
   * shell string), working directory {@code cwd}, kpm's environment plus {@code PWD=cwd} (as Go
   * sets it) and the run marker, and stdin reading /dev/null. Each stdout and stderr line is logged
   * at INFO to {@code log}; the last {@code tailBytes} of each are kept. If the script has not
   * exited within {@code timeout} its whole process tree is killed (SIGTERM, up to {@link #GRACE},
   * SIGKILL) and the result is {@link ScriptResult#timedOut() timed out} with exit code -1.
   * Interrupting the calling thread kills the tree the same way and rethrows {@link
   * InterruptedException}.
   *
   * <p>The shell is recorded in {@code children} while it runs, so a kpm killed meanwhile stops the
   * tree at its next start.
   *
   * @throws IOException when the shell cannot be started (e.g. {@code cwd} does not exist)
   */
  public static ScriptResult run(
      Path script,
      List<String> args,
      Path cwd,
      Duration timeout,
      int tailBytes,
      Logger log,
      Children children)
      throws IOException, InterruptedException {
    checkArguments(timeout, tailBytes, log);
    String name = script.getFileName().toString();
    String runId = UUID.randomUUID().toString();
    long started = System.nanoTime();
    try (Children.Record record = children.expect(runId, name + " in " + cwd)) {
      Process shell = builder(script, args, cwd, runId).start();
      record.started(shell);
      return await(shell, new ProcessTree(shell, runId), name, timeout, tailBytes, log, started);
    }
  }

  private static ScriptResult await(
      Process shell,
      ProcessTree tree,
      String name,
      Duration timeout,
      int tailBytes,
      Logger log,
      long started)
      throws InterruptedException {
    try {
      OutputPump out = pump(shell, false, name, tailBytes, log);
      OutputPump err = pump(shell, true, name, tailBytes, log);
      boolean exited = awaitShell(shell, timeout, tree);
      List<ProcessHandle> killed = tree.kill(GRACE);
      Duration duration = Duration.ofNanos(System.nanoTime() - started);
      report(log, name, exited ? null : timeout, killed);
      awaitPumps(log, name, out, err);
      int exitCode = exited ? shell.exitValue() : -1;
      return new ScriptResult(exitCode, out.tail(), err.tail(), duration, !exited, timeout);
    } catch (RuntimeException | Error e) {
      tree.kill(GRACE);
      throw e;
    }
  }

  private static OutputPump pump(Process shell, boolean stderr, String name, int tail, Logger log) {
    return stderr
        ? OutputPump.start(shell.getErrorStream(), name + " stderr", shell.pid(), tail, log)
        : OutputPump.start(shell.getInputStream(), name + " stdout", shell.pid(), tail, log);
  }

  private static void checkArguments(Duration timeout, int tailBytes, Logger log) {
    Objects.requireNonNull(log, "log");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    if (tailBytes < 0) {
      throw new IllegalArgumentException("tailBytes must not be negative: " + tailBytes);
    }
  }

  private static ProcessBuilder builder(Path script, List<String> args, Path cwd, String runId) {
    List<String> command = new ArrayList<>(args.size() + 2);
    command.add("/bin/sh");
    command.add(script.toAbsolutePath().toString());
    command.addAll(args);
    Path dir = cwd.toAbsolutePath();
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.environment().put("PWD", dir.toString());
    builder.environment().put(ProcessTree.MARKER, runId);
    return builder.redirectInput(NO_INPUT);
  }

  /** True when the shell exited in time; on interrupt kills the tree first, then rethrows. */
  private static boolean awaitShell(Process shell, Duration timeout, ProcessTree tree)
      throws InterruptedException {
    try {
      return shell.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      tree.kill(GRACE);
      Thread.interrupted(); // the exception reports the interrupt; do not report it twice
      throw e;
    }
  }

  private static void report(
      Logger log, String name, Duration timeout, List<ProcessHandle> killed) {
    String pids =
        killed.stream().map(h -> Long.toString(h.pid())).collect(Collectors.joining(", "));
    if (timeout != null) {
      String limit = ScriptResult.goDuration(timeout);
      log.warning(name + " did not finish within " + limit + "; killed the tree [" + pids + "]");
    } else if (!killed.isEmpty()) {
      log.warning(name + " left processes running; killed [" + pids + "]");
    }
  }

  private static void awaitPumps(Logger log, String name, OutputPump... pumps)
      throws InterruptedException {
    long deadline = System.nanoTime() + READER_WAIT.toNanos();
    for (OutputPump pump : pumps) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (!pump.await(left)) {
        // Held open by a process outside the tree; its reader ends when that process closes it.
        log.warning(name + " output is still open after the script ended; not waiting for it");
      }
    }
  }
}
