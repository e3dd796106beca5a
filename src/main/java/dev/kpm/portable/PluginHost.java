package dev.kpm.portable;

import dev.kpm.portable.sp.RepSocket;
import dev.kpm.portable.sp.SpTimeoutException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Everything kpm keeps for one portable plugin name: its control channel (listening before the
 * first exec, kept while the plugin is installed or a started symbol refers to it, so updates and
 * restarts re-dial it), its command journal and reference counts, and its current process.
 *
 * <p>A process that dies unexpectedly is restarted with exponential backoff and the journal
 * replayed, until the crash-loop policy stops it: after {@link PortableSettings#crashLoopRestarts}
 * crashes within {@link PortableSettings#crashLoopWindow} the status stays {@code error} with a
 * crash-loop message until a new {@link #start} (an update or a re-create). The status ({@link
 * HostStatus}) moves only through its allowed transitions.
 *
 * <p>Threads: mutations are serialised on this object and may hold it through a handshake or a
 * command exchange. The process-exit callback never takes that lock: it records the exit in the
 * status at once and hands the restart decision to the scheduler, so a crash is visible even while
 * a slow command is in flight. Status reads never block.
 */
final class PluginHost implements AutoCloseable {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration STABLE = Duration.ofSeconds(60);

  private final String name;
  private final PortableSettings settings;
  private final ScheduledExecutorService scheduler;
  private final Logger log;
  private final Journal journal = new Journal();
  private final HostStatus status = new HostStatus();
  private final Deque<Instant> crashes = new ArrayDeque<>();
  private RepSocket control;
  private PortablePlugin plugin;
  private PortableProcess process;
  private ScheduledFuture<?> pendingRestart;
  private int failuresInRow;
  private volatile PortableProcess lastProcess;
  private final HostEvents events;
  private String lastCrash;

  PluginHost(
      String name,
      PortableSettings settings,
      ScheduledExecutorService scheduler,
      HostEvents events) {
    this.name = name;
    this.events = events;
    this.settings = settings;
    this.scheduler = scheduler;
    this.log = Logger.getLogger("dev.kpm.portable.plugin." + name);
  }

  PortableStatus status() {
    return status.get();
  }

  /** The last output of the current or last process: stdout then stderr, bounded. */
  String output() {
    PortableProcess p = lastProcess;
    return p == null ? "" : p.outputTail();
  }

  /**
   * Starts {@code p}'s process (stopping the current one), waits for its handshake, replays. A
   * crash loop ends here: the count starts afresh.
   */
  synchronized void start(PortablePlugin p) throws PortableStartException {
    cancelRestart();
    stopProcess(ProcessState.INITIALIZING);
    plugin = p;
    failuresInRow = 0;
    crashes.clear();
    launch();
  }

  private void launch() throws PortableStartException {
    status.initializing();
    try {
      if (control == null) {
        control = RepSocket.listen(settings.socketDir().resolve("plugin_" + name + ".ipc"));
      }
    } catch (IOException e) {
      throw failed("can't create new control channel: " + e.getMessage());
    }
    PortableProcess started;
    try {
      started = PortableProcess.start(plugin, settings.pythonBin(), log, settings.children());
    } catch (PortableStartException e) {
      throw failed(e.getMessage());
    }
    process = started;
    lastProcess = started;
    status.spawned(started.pid());
    started.onExit().thenRun(() -> onExit(started));
    awaitHandshake(started);
    status.running(started.pid(), Instant.now());
    log.info(() -> "plugin " + name + " started, pid " + started.pid());
    events.started(name, started.pid());
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
        status.error(e.getMessage());
      }
    }
  }

  private PortableStartException failed(String message) {
    status.failed(message);
    return new PortableStartException(message);
  }

  /**
   * On the thread that saw the process end; never waits for this host's lock. The status shows the
   * exit at once (unless the process was replaced or stopped meanwhile); the restart decision is
   * queued.
   */
  private void onExit(PortableProcess p) {
    if (p.stopRequested()) {
      return; // stopped on purpose: whoever stopped it sets the status
    }
    status.exited(p.pid(), p.exitText());
    events.exited(name, p.pid(), p.exitText());
    scheduler.execute(() -> exited(p));
  }

  /** Decides what follows an unexpected end: a restart after backoff, or a crash loop. */
  private synchronized void exited(PortableProcess p) {
    if (p != process) {
      return; // stopped or replaced on purpose
    }
    process = null;
    String why = p.exitText();
    log.warning(() -> "plugin " + name + " process " + p.pid() + " ended: " + why);
    Instant started = status.get().startedAt();
    boolean stable =
        started != null && Duration.between(started, Instant.now()).compareTo(STABLE) > 0;
    failuresInRow = stable ? 1 : failuresInRow + 1;
    crashed(why);
  }

  /** Counts a crash (an exit or a failed restart); restarts, or stops at a crash loop. */
  private void crashed(String why) {
    Instant now = Instant.now();
    crashes.addLast(now);
    while (!crashes.isEmpty()
        && Duration.between(crashes.peekFirst(), now).compareTo(settings.crashLoopWindow()) > 0) {
      crashes.removeFirst();
    }
    if (crashes.size() >= settings.crashLoopRestarts()) {
      String message =
          "crash loop: the process ended "
              + crashes.size()
              + " times within "
              + settings.crashLoopWindow()
              + " (last: "
              + why
              + "); kpm restarts it again after an update or a re-create";
      log.severe(() -> "plugin " + name + ": " + message);
      status.error(message);
      events.crashLoop(name, message);
      return;
    }
    status.error(why);
    lastCrash = why;
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
    status.restarted();
    String cause = lastCrash;
    try {
      launch();
      events.restarted(name, cause, null);
    } catch (PortableStartException e) {
      failuresInRow++;
      log.log(Level.WARNING, "restart of plugin " + name + " failed: " + e.getMessage());
      events.restarted(name, cause, e.getMessage());
      crashed(e.getMessage());
    }
  }

  /** Sends a control command and requires {@code ok} (docs/portable-protocol.md §3.3). */
  synchronized void send(Control c, String cmd) throws IOException {
    if (process == null || control == null) {
      PortableStatus s = status.get();
      throw new IOException(
          "plugin "
              + name
              + " is not running: "
              + s.state().word()
              + (s.errMsg().isEmpty() ? "" : " (" + s.errMsg() + ")"));
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
    status.refCount(journal.refCount());
  }

  /** Sends a symbol's stop and, on {@code ok}, removes it from the journal. */
  synchronized void stopSymbol(Control c) throws IOException {
    send(c, "stop");
    journal.stopped(c);
    status.refCount(journal.refCount());
  }

  /** Whether a started symbol still refers to this plugin's channels. */
  synchronized boolean referenced() {
    return !journal.replay().isEmpty();
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
    if (after == ProcessState.STOP) {
      status.stopped();
      if (p != null) {
        events.stopped(name, p.pid());
      }
    }
  }

  private void cancelRestart() {
    if (pendingRestart != null) {
      pendingRestart.cancel(false);
      pendingRestart = null;
    }
  }

  /** Stops the process and closes the control channel: nothing of this host remains. */
  @Override
  public synchronized void close() {
    stop();
    if (control != null) {
      control.close();
      control = null;
    }
  }
}
