package dev.kpm.portable.sp;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * The host end of eKuiper's control and function channels: an SP REP socket listening on a
 * Unix-domain path, with the mangos semantics of docs/portable-protocol.md §4.6.
 *
 * <p>One "current request" slot holds (pipe, backtrace): {@link #receive} fills it, overwriting an
 * unanswered request; {@link #send} empties it and answers on that request's pipe, or drops the
 * reply silently when that pipe is gone. A request whose backtrace is malformed (under 4 bytes at
 * some step, or no request ID within 8 words) is dropped, as mangos does; NNG would close the pipe.
 * Queued requests of a pipe that closed are discarded. Any number of pipes may connect.
 *
 * <p>Lifecycle: OPEN ──close()──▶ CLOSED; OPEN ──accept fails──▶ FAILED ──close()──▶ CLOSED, where
 * FAILED still serves the pipes already connected. {@link #close} is idempotent, closes every pipe,
 * waits (bounded) for the socket's threads and unlinks the socket file.
 *
 * <p>Thread-safety: every method may be called from any thread. {@link #exchange} calls are
 * serialised per socket, like eKuiper's channel mutex; plain receive and send are not serialised
 * against them.
 */
public final class RepSocket implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RepSocket.class.getPackageName());

  private record Request(Pipe pipe, byte[] backtrace) {}

  private final Listener listener;
  private final Inbox inbox;
  private final ReentrantLock exchanges = new ReentrantLock();
  private Request current; // guarded by this

  private RepSocket(Listener listener, Inbox inbox) {
    this.listener = listener;
    this.inbox = inbox;
  }

  /**
   * Listens on {@code path}. A stale socket file (connect refused) is replaced; a live listener is
   * an "address in use" IOException, as is a path over 107 bytes or a file that is not a socket.
   */
  public static RepSocket listen(Path path) throws IOException {
    Inbox inbox = new Inbox(true);
    return new RepSocket(Listener.open(path, Sp.REP, inbox), inbox);
  }

  /**
   * The body of the next request from any pipe (round-robin over pipes), which becomes the current
   * request.
   *
   * @throws SpTimeoutException when nothing arrives in time
   */
  public byte[] receive(Duration timeout) throws IOException {
    long deadline = Deadline.after(timeout);
    while (true) {
      checkOpen();
      Inbox.Message message = inbox.take(deadline, describe());
      byte[] payload = message.payload();
      int split = Sp.backtraceLength(payload);
      if (split >= 0) {
        synchronized (this) {
          current = new Request(message.pipe(), Arrays.copyOf(payload, split));
        }
        return Arrays.copyOfRange(payload, split, payload.length);
      }
      LOG.fine(() -> message.pipe().name() + ": dropped a request without a valid backtrace");
    }
  }

  /**
   * Answers the current request and clears it; blocks until the frame is written (no deadline).
   *
   * @throws ProtocolStateException when there is no current request
   */
  public void send(byte[] body) throws IOException {
    send(body, Deadline.NONE);
  }

  /**
   * eKuiper's host send loop (docs/portable-protocol.md §3.4): send {@code payload} as the reply
   * (after a protocol-state error: receive one message, discard it, send again), then receive the
   * answer; an answer starting with {@code h} is a handshake or keepalive, so send again. Each send
   * and each receive has its own {@code timeout}.
   *
   * @return the first answer that is empty or does not start with {@code h}
   */
  public byte[] exchange(byte[] payload, Duration timeout) throws IOException {
    lockExchanges();
    try {
      while (true) {
        try {
          send(payload, Deadline.after(timeout));
        } catch (ProtocolStateException noRequest) {
          receive(timeout);
          send(payload, Deadline.after(timeout));
        }
        byte[] answer = receive(timeout);
        if (answer.length == 0 || answer[0] != 'h') {
          return answer;
        }
      }
    } finally {
      exchanges.unlock();
    }
  }

  /** Pipes connected right now, their header exchange done. */
  public int pipes() {
    return listener.openPipes();
  }

  /** Idempotent; see the class comment. */
  @Override
  public void close() {
    listener.close();
    inbox.close("socket closed");
  }

  private void send(byte[] body, long deadline) throws IOException {
    checkOpen();
    Request request;
    synchronized (this) {
      request = current;
      current = null;
    }
    if (request == null) {
      throw new ProtocolStateException(describe() + ": no request to reply to");
    }
    try {
      request.pipe().write(deadline, request.backtrace(), body);
    } catch (SpTimeoutException e) {
      throw e;
    } catch (IOException pipeGone) {
      // mangos reports success when the request's pipe has gone; the §3.4 loop recovers.
      LOG.fine(() -> request.pipe().name() + ": reply dropped, " + pipeGone.getMessage());
      checkOpen();
    }
  }

  private void lockExchanges() throws InterruptedIOException {
    try {
      exchanges.lockInterruptibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(describe() + ": interrupted waiting for an exchange");
    }
  }

  private void checkOpen() throws IOException {
    if (listener.lifecycle().closed()) {
      throw new IOException(describe() + " is closed");
    }
  }

  private String describe() {
    return "REP socket on " + listener.path();
  }
}
