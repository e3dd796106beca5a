package dev.kpm.portable.sp;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;

/**
 * The plugin end of a control or function channel, for tests and benchmarks: an SP REQ socket that
 * dials one REP. Like the SDKs' sockets it never resends, so losing the pipe fails the socket.
 *
 * <p>Request IDs start at a random value with the top bit set (as NNG) and count up by one. A new
 * {@link #send} cancels the outstanding request; replies carrying any other ID, or shorter than 4
 * bytes, are dropped (mangos).
 *
 * <p>Lifecycle: OPEN ──pipe lost──▶ FAILED ──close()──▶ CLOSED; OPEN ──close()──▶ CLOSED. FAILED
 * answers every call with an IOException naming the reason. {@link #close} is idempotent, closes
 * the pipe and waits (bounded) for its reader thread ({@code kpm-sp-req-<file>-pipe-1}).
 *
 * <p>Thread-safety: calls may come from any thread; a send from another thread cancels the request
 * a concurrent receive waits for, which then times out.
 */
public final class ReqSocket implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path path;
  private final Lifecycle lifecycle = new Lifecycle();
  private final Inbox inbox = new Inbox(false);
  private volatile Pipe pipe;
  private int nextId = Sp.firstRequestId(RANDOM.nextInt());
  private int outstanding; // guarded by this, with pending
  private boolean pending;

  private ReqSocket(Path path) {
    this.path = path;
  }

  /**
   * Connects to the REP listening on {@code path}, retrying every 100 ms until {@code timeout}.
   *
   * @throws SpTimeoutException when no listener accepted an SP REQ pipe in time
   */
  public static ReqSocket dial(Path path, Duration timeout) throws IOException {
    ReqSocket socket = new ReqSocket(path);
    Dialer dialer = new Dialer(path, Sp.REQ, socket.new Events(), () -> false);
    socket.pipe = dialer.dial(Sp.threadName(Sp.REQ, path, "pipe-1"), Deadline.after(timeout));
    return socket;
  }

  /** Sends a request under a new ID, cancelling the outstanding one. Blocks until written. */
  public void send(byte[] body) throws IOException {
    int id;
    synchronized (this) {
      checkUsable();
      id = nextId;
      nextId = Sp.nextRequestId(id);
      outstanding = id;
      pending = true;
    }
    pipe.write(Deadline.NONE, Sp.idBytes(id), body);
  }

  /**
   * The reply to the outstanding request; afterwards nothing is outstanding. A timeout also ends
   * the request, so the next receive needs a new send (as mangos and NNG).
   *
   * @throws ProtocolStateException when no request is outstanding
   * @throws SpTimeoutException when the reply does not arrive in time
   */
  public byte[] receive(Duration timeout) throws IOException {
    long deadline = Deadline.after(timeout);
    while (true) {
      int id = awaited();
      Inbox.Message message;
      try {
        message = inbox.take(deadline, describe());
      } catch (IOException e) {
        endRequest(id);
        throw e;
      }
      byte[] body = match(message.payload(), id);
      if (body != null) {
        return body;
      }
    }
  }

  /** {@link #send} then {@link #receive}. */
  public byte[] request(byte[] body, Duration timeout) throws IOException {
    send(body);
    return receive(timeout);
  }

  /** Idempotent; see the class comment. */
  @Override
  public void close() {
    if (!lifecycle.moveTo(Lifecycle.State.CLOSED, "closed")) {
      return;
    }
    inbox.close("socket closed");
    pipe.close("socket closed");
    try {
      pipe.join(Listener.JOIN);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private synchronized int awaited() throws IOException {
    if (lifecycle.closed()) {
      checkUsable();
    }
    if (!pending) {
      throw new ProtocolStateException(describe() + ": no outstanding request to receive for");
    }
    return outstanding;
  }

  private synchronized byte[] match(byte[] payload, int id) {
    if (pending && outstanding == id && payload.length >= 4 && Sp.leadingId(payload) == id) {
      pending = false;
      return Arrays.copyOfRange(payload, 4, payload.length);
    }
    return null;
  }

  private synchronized void endRequest(int id) {
    if (outstanding == id) {
      pending = false;
    }
  }

  private void checkUsable() throws IOException {
    switch (lifecycle.state()) {
      case CLOSED -> throw new IOException(describe() + " is closed");
      case FAILED -> throw new IOException(describe() + ": " + lifecycle.reason());
      case OPEN -> {}
    }
  }

  private String describe() {
    return "REQ socket to " + path;
  }

  private final class Events implements Pipe.Events {
    @Override
    public void message(Pipe pipe, byte[] payload) throws InterruptedException {
      inbox.put(pipe, payload);
    }

    @Override
    public void closed(Pipe pipe) {
      if (!pipe.wasOpen()) {
        return; // a failed dial attempt; the Dialer retries
      }
      String reason = "connection lost (" + pipe.closeReason() + ")";
      lifecycle.moveTo(Lifecycle.State.FAILED, reason);
      inbox.close(reason);
    }
  }
}
