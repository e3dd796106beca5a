package dev.kpm.portable;

import dev.kpm.portable.sp.RepSocket;
import dev.kpm.portable.sp.SpTimeoutException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Everything kpm keeps for one portable plugin name: its control channel (listening before the
 * first exec and kept for the life of kpm, so updates and restarts re-dial it), its command journal
 * and reference counts, and its current process. A process that dies unexpectedly is restarted with
 * exponential backoff and the journal replayed; status changes are in {@link ProcessState}.
 * Mutations are serialised on this object; status reads never block.
 */
final class PluginHost implements AutoCloseable {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration STABLE = Duration.ofSeconds(60);

  private final String name;
  private final PortableSettings settings;
  private final ScheduledExecutorService scheduler;
  private final Logger log;
  private final Journal journal = new Journal();
  private RepSocket control;
  private PortablePlugin plugin;
  private PortableProcess process;
  private ScheduledFuture<?> pendingRestart;
  private int failuresInRow;
  private volatile PortableStatus status;
  private volatile PortableProcess lastProcess;

  PluginHost(String name, PortableSettings settings, ScheduledExecutorService scheduler) {
    this.name = name;
    this.settings = settings;
    this.scheduler = scheduler;
    this.log = Logger.getLogger("dev.kpm.portable.plugin." + name);
    this.status = new PortableStatus(journal.refCount(), ProcessState.INITIALIZING, "", 0, 0, null);
  }

  PortableStatus status() {
    return status;
  }

  /** The last output of the current or last process: stdout then stderr, bounded. */
  String output() {
    PortableProcess p = lastProcess;
    return p == null ? "" : p.outputTail();
  }

  /** Starts {@code p}'s process (stopping the current one), waits for its handshake, replays. */
  synchronized void start(PortablePlugin p) throws PortableStartException {
    cancelRestart();
    stopProcess(ProcessState.INITIALIZING);
    plugin = p;
    failuresInRow = 0;
    launch();
  }

  private void launch() throws PortableStartException {
    try {
      if (control == null) {
        control = RepSocket.listen(settings.socketDir().resolve("plugin_" + name + ".ipc"));
      }
    } catch (IOException e) {
      throw failed("can't create new control channel: " + e.getMessage());
    }
    PortableProcess started;
    try {
      started = PortableProcess.start(plugin, settings.pythonBin(), log);
    } catch (PortableStartException e) {
      throw failed(e.getMessage());
    }
    process = started;
    lastProcess = started;
    set(ProcessState.INITIALIZING, "", started.pid(), null);
    started.onExit().thenRun(() -> exited(started));
    awaitHandshake(started);
    set(ProcessState.RUNNING, "", started.pid(), Instant.now());
    log.info(() -> "plugin " + name + " started, pid " + started.pid());
    replay();
  }

  private void awaitHandshake(PortableProcess p) throws PortableStartException {
    long deadline = System.nanoTime() + settings.handshakeTimeout().toNanos();
    while (true) {
      try {
        control.receive(Duration.ofMillis(200));
        return;
      } catch (SpTimeoutException e) {
        if (!p.isAlive()) {
          process = null;
          p.onExit().join();
          throw failed(
              "plugin executable " + plugin.executable() + " stops with error " + p.exitText());
        }
        if (System.nanoTime() > deadline) {
          process = null;
          p.stop(settings.stopGrace());
          throw failed(
              "plugin " + plugin.executable() + " control handshake error: receive time out");
        }
      } catch (IOException e) {
        process = null;
        p.stop(settings.stopGrace());
        throw failed(
            "plugin " + plugin.executable() + " control handshake error: " + e.getMessage());
      }
    }
  }

  private void replay() {
    for (Control c : journal.replay()) {
      try {
        send(c, "start");
      } catch (IOException e) {
        set(ProcessState.ERROR, e.getMessage(), status.pid(), status.startedAt());
      }
    }
  }

  private PortableStartException failed(String message) {
    set(ProcessState.ERROR, message, 0, null);
    return new PortableStartException(message);
  }

  /** Called when a process ends; unexpected ends are restarted with backoff. */
  private synchronized void exited(PortableProcess p) {
    if (p != process) {
      return;
    }
    process = null;
    String why = p.exitText();
    log.warning(() -> "plugin " + name + " process " + p.pid() + " ended: " + why);
    boolean stable =
        status.startedAt() != null
            && Duration.between(status.startedAt(), Instant.now()).compareTo(STABLE) > 0;
    failuresInRow = stable ? 1 : failuresInRow + 1;
    set(ProcessState.ERROR, why, 0, null);
    scheduleRestart();
  }

  private void scheduleRestart() {
    long millis = Math.min(settings.maxBackoff().toMillis(), 250L << Math.min(failuresInRow, 16));
    pendingRestart = scheduler.schedule(this::restart, millis, TimeUnit.MILLISECONDS);
  }

  private synchronized void restart() {
    if (plugin == null || process != null) {
      return;
    }
    status = withRestarts(status.restarts() + 1);
    try {
      launch();
    } catch (PortableStartException e) {
      failuresInRow++;
      log.log(Level.WARNING, "restart of plugin " + name + " failed: " + e.getMessage());
      scheduleRestart();
    }
  }

  /** Sends a control command and requires {@code ok} (PORTABLE §3.3). */
  synchronized void send(Control c, String cmd) throws IOException {
    if (process == null || control == null) {
      throw new IOException(
          "plugin "
              + name
              + " is not running: "
              + status.state().word()
              + (status.errMsg().isEmpty() ? "" : " (" + status.errMsg() + ")"));
    }
    byte[] answer = control.exchange(c.command(cmd), COMMAND_TIMEOUT);
    String text = new String(answer, StandardCharsets.UTF_8);
    if (!text.equals("ok")) {
      throw new IOException("receive error: " + text);
    }
  }

  /** Sends a symbol's start and, on {@code ok}, records it in the journal. */
  synchronized void startSymbol(Control c) throws IOException {
    send(c, "start");
    journal.started(c);
    refreshCounts();
  }

  /** Sends a symbol's stop and, on {@code ok}, removes it from the journal. */
  synchronized void stopSymbol(Control c) throws IOException {
    send(c, "stop");
    journal.stopped(c);
    refreshCounts();
  }

  /** Stops the process (drop, update, shutdown); channels and journal stay. */
  synchronized void stop() {
    cancelRestart();
    plugin = null;
    stopProcess(ProcessState.STOP);
  }

  private void stopProcess(ProcessState after) {
    PortableProcess p = process;
    process = null;
    if (p != null) {
      p.stop(settings.stopGrace());
    }
    set(after, "", 0, null);
  }

  private void cancelRestart() {
    if (pendingRestart != null) {
      pendingRestart.cancel(false);
      pendingRestart = null;
    }
  }

  private void set(ProcessState state, String errMsg, long pid, Instant startedAt) {
    status =
        new PortableStatus(journal.refCount(), state, errMsg, pid, status.restarts(), startedAt);
  }

  private void refreshCounts() {
    PortableStatus s = status;
    status =
        new PortableStatus(
            journal.refCount(), s.state(), s.errMsg(), s.pid(), s.restarts(), s.startedAt());
  }

  private PortableStatus withRestarts(int restarts) {
    PortableStatus s = status;
    return new PortableStatus(
        s.refCount(), s.state(), s.errMsg(), s.pid(), restarts, s.startedAt());
  }

  @Override
  public synchronized void close() {
    stop();
    if (control != null) {
      control.close();
      control = null;
    }
  }
}
