package dev.kpm.portable;

import dev.kpm.process.Children;
import dev.kpm.process.OutputPump;
import dev.kpm.process.ProcessTree;
import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One child process of a portable plugin, started as eKuiper starts it (docs/portable-protocol.md
 * §1.4): the executable (or the Python interpreter, or {@code conda run}) with the argument {@code
 * {"sendTimeout":1000}}, in the plugin folder, with kpm's environment and no stdin; stdout and
 * stderr read line by line into the plugin's logger, the last bytes kept for the status. Stopping
 * sends SIGTERM to the whole tree, then SIGKILL after the grace. Thread-safe.
 */
final class PortableProcess {
  static final String CONFIG = "{\"sendTimeout\":1000}";
  private static final int TAIL_BYTES = 16 * 1024;
  private static final Pattern ERRNO = Pattern.compile("error=\\d+, (.*)");

  private final Process process;
  private final ProcessTree tree;
  private final OutputPump out;
  private final OutputPump err;
  private volatile boolean stopRequested;

  private PortableProcess(Process process, String runId, Logger log) {
    this.process = process;
    this.tree = new ProcessTree(process, runId);
    this.out = OutputPump.start(process.getInputStream(), "stdout", process.pid(), TAIL_BYTES, log);
    this.err = OutputPump.start(process.getErrorStream(), "stderr", process.pid(), TAIL_BYTES, log);
  }

  static PortableProcess start(
      PortablePlugin plugin, String pythonBin, Logger log, Children children)
      throws PortableStartException {
    List<String> command = command(plugin, pythonBin);
    String runId = UUID.randomUUID().toString();
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(plugin.folder().toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().put(ProcessTree.MARKER, runId);
    Children.Record record = children.expect(runId, "portable plugin " + plugin.name());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      record.close();
      throw new PortableStartException(
          "plugin executable "
              + plugin.executable()
              + " stops with error fork/exec "
              + command.get(0)
              + ": "
              + reason(e));
    }
    record.started(process);
    return new PortableProcess(process, runId, log);
  }

  /** docs/portable-protocol.md §1.4: the command line per language and virtual environment. */
  static List<String> command(PortablePlugin plugin, String pythonBin)
      throws PortableStartException {
    String exe = plugin.executable().toString();
    List<String> command = new ArrayList<>();
    switch (plugin.language()) {
      case "go" -> command.add(exe);
      case "python" -> {
        if (plugin.virtualEnvType() == null) {
          command.addAll(List.of(pythonBin, "-u", exe));
        } else if (plugin.virtualEnvType().equals("conda")) {
          command.addAll(List.of("conda", "run", "-n", plugin.env(), pythonBin, exe));
        } else {
          throw new PortableStartException("unsupported virtual type: " + plugin.virtualEnvType());
        }
      }
      default -> throw new PortableStartException("unsupported language: " + plugin.language());
    }
    command.add(CONFIG);
    return command;
  }

  private static String reason(IOException e) {
    Matcher m = ERRNO.matcher(String.valueOf(e.getMessage()));
    return m.find() ? m.group(1).toLowerCase() : String.valueOf(e.getMessage());
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  CompletableFuture<Process> onExit() {
    return process.onExit();
  }

  /** Go's wording of how the process ended: {@code exit status 1}, {@code signal: killed}. */
  String exitText() {
    int code = process.exitValue();
    if (code > 128 && code < 160) {
      return "signal: " + Signals.name(code - 128);
    }
    return "exit status " + code;
  }

  /** SIGTERM to the tree, SIGKILL to what is left after {@code grace}. */
  void stop(Duration grace) {
    stopRequested = true;
    tree.kill(grace);
  }

  /** Whether kpm ended it on purpose ({@link #stop}): its exit is no crash. */
  boolean stopRequested() {
    return stopRequested;
  }

  /** The last output of the process, stdout then stderr. */
  String outputTail() {
    return out.tail() + err.tail();
  }
}
