package dev.kpm.portable;

import java.time.Instant;
import java.util.Map;

/**
 * The status of one plugin host, changed only by {@link #moveTo}, which allows these moves and
 * refuses the rest:
 *
 * <pre>
 *   any ──start (create, update, restart)──▶ INITIALIZING ──handshake──▶ RUNNING
 *   INITIALIZING, RUNNING, ERROR ──exit, failure, crash loop──▶ ERROR
 *   any ──stop (drop, shutdown)──▶ STOP
 * </pre>
 *
 * RUNNING is entered only for the process that is starting (its pid), and an exit is recorded only
 * for the process the status shows, so a late report about a replaced process changes nothing.
 * Thread-safe; never blocks on I/O, so the process-exit thread may use it at any time.
 */
final class HostStatus {
  private PortableStatus current =
      new PortableStatus(Map.of(), ProcessState.INITIALIZING, "", 0, 0, null, null);

  synchronized PortableStatus get() {
    return current;
  }

  /** A new process is about to start: no pid yet. */
  synchronized void initializing() {
    moveTo(ProcessState.INITIALIZING, "", 0, null);
  }

  /** The new process has its pid and waits for its handshake. */
  synchronized void spawned(long pid) {
    moveTo(ProcessState.INITIALIZING, "", pid, null);
  }

  /** The process {@code pid} passed its handshake. */
  synchronized void running(long pid, Instant at) {
    if (current.state() == ProcessState.INITIALIZING && current.pid() == pid) {
      moveTo(ProcessState.RUNNING, "", pid, at);
    }
  }

  /** The process {@code pid} ended without being asked to. */
  synchronized void exited(long pid, String how) {
    if (current.pid() == pid && current.state() != ProcessState.STOP) {
      current =
          new PortableStatus(
              current.refCount(), ProcessState.ERROR, how, 0, current.restarts(), null, how);
    }
  }

  /** Starting failed, or the process misbehaved; keeps the pid of a process that still runs. */
  synchronized void error(String message) {
    moveTo(ProcessState.ERROR, message, current.pid(), current.startedAt());
  }

  /** No process runs any more (a failed start): pid 0. */
  synchronized void failed(String message) {
    moveTo(ProcessState.ERROR, message, 0, null);
  }

  synchronized void stopped() {
    moveTo(ProcessState.STOP, "", 0, null);
  }

  synchronized void restarted() {
    current =
        new PortableStatus(
            current.refCount(),
            current.state(),
            current.errMsg(),
            current.pid(),
            current.restarts() + 1,
            current.startedAt(),
            current.lastExit());
  }

  synchronized void refCount(Map<String, Integer> counts) {
    current =
        new PortableStatus(
            counts,
            current.state(),
            current.errMsg(),
            current.pid(),
            current.restarts(),
            current.startedAt(),
            current.lastExit());
  }

  /** The one transition: refuses a move the diagram does not have. */
  private void moveTo(ProcessState next, String errMsg, long pid, Instant startedAt) {
    boolean allowed =
        switch (next) {
          case INITIALIZING, STOP -> true;
          case RUNNING -> current.state() == ProcessState.INITIALIZING;
          case ERROR -> current.state() != ProcessState.STOP;
        };
    if (!allowed) {
      throw new IllegalStateException(
          "portable status cannot move from " + current.state() + " to " + next);
    }
    current = with(next, errMsg, pid, startedAt);
  }

  private PortableStatus with(ProcessState state, String errMsg, long pid, Instant startedAt) {
    return new PortableStatus(
        current.refCount(), state, errMsg, pid, current.restarts(), startedAt, current.lastExit());
  }
}
