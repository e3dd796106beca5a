package dev.kpm.portable.sp;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The host end of a sink data channel: an SP PUSH socket that dials the plugin's listening PULL
 * over one pipe, and redials when that pipe has died.
 *
 * <p>Lifecycle: OPEN ──close()──▶ CLOSED; {@link #close} is idempotent, closes the pipe and waits
 * (bounded) for its reader thread ({@code kpm-sp-push-<file>-pipe-<n>}), which only watches for the
 * peer closing.
 *
 * <p>Thread-safety: sends from several threads are serialised; close may be called at any time.
 */
public final class PushSocket implements AutoCloseable {
  /** A PUSH pipe only watches for the peer closing; a PULL peer never sends (NNG closes on it). */
  private static final Pipe.Events SEND_ONLY =
      new Pipe.Events() {
        @Override
        public void message(Pipe pipe, byte[] payload) throws IOException {
          throw new IOException("the PULL peer sent a message, which SP forbids");
        }

        @Override
        public void closed(Pipe pipe) {}
      };

  private final Path path;
  private final Dialer dialer;
  private final Lifecycle lifecycle = new Lifecycle();
  private final ReentrantLock sending = new ReentrantLock();
  private volatile Pipe pipe;
  private int dials; // guarded by sending

  private PushSocket(Path path) {
    this.path = path;
    this.dialer = new Dialer(path, Sp.PUSH, SEND_ONLY, lifecycle::closed);
  }

  /**
   * Connects to the PULL listening on {@code path}, retrying every 100 ms until {@code timeout}.
   *
   * @throws SpTimeoutException when no listener accepted an SP PULL pipe in time
   */
  public static PushSocket dial(Path path, Duration timeout) throws IOException {
    PushSocket socket = new PushSocket(path);
    socket.sending.lock();
    try {
      socket.pipe = socket.connect(Deadline.after(timeout));
    } finally {
      socket.sending.unlock();
    }
    return socket;
  }

  /**
   * Sends one message on the pipe; if the pipe died, redials first. {@code timeout} bounds the
   * whole call. A frame cut short by the deadline closes the pipe (the next send redials).
   *
   * @throws SpTimeoutException when no pipe could take the message in time
   */
  public void send(byte[] body, Duration timeout) throws IOException {
    long deadline = Deadline.after(timeout);
    lockForSending(deadline);
    try {
      while (true) {
        Pipe current = connected(deadline);
        try {
          current.write(deadline, body);
          return;
        } catch (SpTimeoutException e) {
          throw e;
        } catch (IOException pipeDied) {
          checkOpen();
        }
      }
    } finally {
      sending.unlock();
    }
  }

  /** Idempotent; see the class comment. */
  @Override
  public void close() {
    if (!lifecycle.moveTo(Lifecycle.State.CLOSED, "closed")) {
      return;
    }
    retire(pipe);
  }

  private Pipe connected(long deadline) throws IOException {
    Pipe current = pipe;
    if (current != null && current.isOpen()) {
      return current;
    }
    retire(current);
    pipe = connect(deadline);
    return pipe;
  }

  private Pipe connect(long deadline) throws IOException {
    checkOpen();
    Pipe fresh = dialer.dial(Sp.threadName(Sp.PUSH, path, "pipe-" + ++dials), deadline);
    pipe = fresh;
    if (lifecycle.closed()) {
      retire(fresh);
      checkOpen();
    }
    return fresh;
  }

  private static void retire(Pipe old) {
    if (old == null) {
      return;
    }
    old.close("socket closed");
    try {
      old.join(Listener.JOIN);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void lockForSending(long deadline) throws IOException {
    try {
      if (!sending.tryLock(Deadline.remaining(deadline), TimeUnit.NANOSECONDS)) {
        throw new SpTimeoutException(describe() + ": send timed out behind an earlier send");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(describe() + ": interrupted waiting to send");
    }
  }

  private void checkOpen() throws IOException {
    if (lifecycle.closed()) {
      throw new IOException(describe() + " is closed");
    }
  }

  private String describe() {
    return "PUSH socket to " + path;
  }
}
