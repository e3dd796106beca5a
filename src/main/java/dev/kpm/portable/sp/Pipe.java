package dev.kpm.portable.sp;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One SP connection ("pipe") over a connected Unix-domain stream socket: the header exchange, then
 * frames in both directions.
 *
 * <pre>
 * NEGOTIATING ──peer header valid──▶ OPEN ──close() / EOF / bad frame / I/O error──▶ CLOSED
 *      └──────────bad or late (10 s) header, EOF, close()──────────────────────────────▲
 * </pre>
 *
 * A failing pipe goes straight to CLOSED and keeps the reason; nothing reopens a pipe.
 *
 * <p>Threads: one daemon reader thread per pipe, named by the owner. It sends our header, reads and
 * checks the peer's, then reads frames and hands each payload to {@link Events#message}. The
 * channel is non-blocking; the reader waits on its own selector and writers on a second one, so
 * reads never block writes, writes can have deadlines and {@link #close} wakes everyone.
 *
 * <p>Thread-safety: {@link #write} may be called from any thread; a lock serialises writers so
 * frames never interleave. {@link #close} is idempotent and may be called from any thread.
 */
final class Pipe {
  static final Duration HEADER_TIMEOUT = Duration.ofSeconds(10);
  private static final Logger LOG = Logger.getLogger(Pipe.class.getPackageName());

  /** The owner's callbacks: message runs on the reader thread, closed on the closer's. */
  interface Events {
    /** May block to apply back-pressure; must return once the pipe is closed. */
    void message(Pipe pipe, byte[] payload) throws IOException, InterruptedException;

    void closed(Pipe pipe);
  }

  enum State {
    NEGOTIATING,
    OPEN,
    CLOSED
  }

  private final SocketChannel channel;
  private final int protocol;
  private final Events events;
  private final Selector readable;
  private final Selector writable;
  private final Thread reader;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final CountDownLatch settled = new CountDownLatch(1);
  private State state = State.NEGOTIATING;
  private boolean wasOpen;
  private String closeReason = "";

  /** Takes over {@code channel} (closing it if this fails); call {@link #start} next. */
  Pipe(SocketChannel channel, int protocol, String threadName, Events events) throws IOException {
    this.channel = channel;
    this.protocol = protocol;
    this.events = events;
    Selector r = null;
    try {
      channel.configureBlocking(false);
      r = Selector.open();
      channel.register(r, SelectionKey.OP_READ);
      readable = r;
      writable = Selector.open();
      channel.register(writable, SelectionKey.OP_WRITE);
    } catch (IOException e) {
      quietly(r);
      channel.close();
      throw e;
    }
    reader = new Thread(this::run, threadName);
    reader.setDaemon(true);
  }

  void start() {
    reader.start();
  }

  String name() {
    return reader.getName();
  }

  synchronized boolean isOpen() {
    return state == State.OPEN;
  }

  /** True once the header exchange succeeded, even after the pipe closed. */
  synchronized boolean wasOpen() {
    return wasOpen;
  }

  synchronized String closeReason() {
    return closeReason;
  }

  /** Waits until the header exchange ends; throws unless the pipe is OPEN then. */
  void awaitOpen(long deadline) throws IOException {
    try {
      if (!settled.await(Deadline.remaining(deadline), TimeUnit.NANOSECONDS)) {
        close("no SP header exchange in time");
        throw new SpTimeoutException(name() + ": SP header exchange did not finish in time");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close("interrupted");
      throw new InterruptedIOException("interrupted while waiting for the SP header");
    }
    if (!isOpen()) {
      throw new IOException(name() + ": " + closeReason());
    }
  }

  /** Writes one frame whose payload is {@code parts} concatenated. */
  void write(long deadline, byte[]... parts) throws IOException {
    ByteBuffer[] buffers = new ByteBuffer[parts.length + 1];
    long length = 0;
    for (int i = 0; i < parts.length; i++) {
      buffers[i + 1] = ByteBuffer.wrap(parts[i]);
      length += parts[i].length;
    }
    buffers[0] = ByteBuffer.wrap(Sp.prefix(length));
    send(buffers, deadline);
  }

  /** Closes the channel and wakes every waiter; idempotent. */
  void close(String reason) {
    State was;
    synchronized (this) {
      was = state;
      if (!moveTo(State.CLOSED)) {
        return;
      }
      closeReason = reason;
    }
    settled.countDown();
    try {
      channel.close();
    } catch (IOException e) {
      LOG.log(Level.FINE, name() + ": close failed", e);
    }
    readable.wakeup();
    writable.wakeup();
    LOG.log(
        was == State.NEGOTIATING ? Level.INFO : Level.FINE, () -> name() + ": closed, " + reason);
    events.closed(this);
  }

  /** True once the pipe is closed and its reader thread has finished. */
  boolean ended() {
    return state() == State.CLOSED && !reader.isAlive();
  }

  /** Waits (bounded) for the reader thread to end; a no-op on the reader thread itself. */
  void join(Duration within) throws InterruptedException {
    if (Thread.currentThread() != reader) {
      reader.join(Math.max(1, within.toMillis()));
    }
  }

  private synchronized boolean moveTo(State next) {
    boolean allowed =
        switch (state) {
          case NEGOTIATING -> next != State.NEGOTIATING;
          case OPEN -> next == State.CLOSED;
          case CLOSED -> false;
        };
    if (allowed) {
      state = next;
      wasOpen |= next == State.OPEN;
    }
    return allowed;
  }

  private void run() {
    String reason = "reader stopped";
    try {
      negotiate();
      readFrames();
    } catch (EOFException e) {
      reason = "peer closed the connection";
    } catch (IOException | RuntimeException e) {
      reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    } catch (InterruptedException e) {
      reason = "interrupted";
    } finally {
      close(reason);
      quietly(readable);
      quietly(writable);
    }
  }

  private void negotiate() throws IOException {
    long deadline = Deadline.after(HEADER_TIMEOUT);
    send(new ByteBuffer[] {ByteBuffer.wrap(Sp.header(protocol))}, deadline);
    ByteBuffer header = ByteBuffer.allocate(Sp.HEADER_SIZE);
    fill(
        header, deadline, "no SP header from the peer within " + HEADER_TIMEOUT.toSeconds() + " s");
    Sp.checkHeader(header.array(), Sp.partner(protocol));
    if (moveTo(State.OPEN)) {
      settled.countDown();
    }
  }

  private void readFrames() throws IOException, InterruptedException {
    ByteBuffer prefix = ByteBuffer.allocate(Sp.PREFIX_SIZE);
    while (true) {
      prefix.clear();
      fill(prefix, Deadline.NONE, "");
      ByteBuffer payload = ByteBuffer.allocate(Sp.payloadLength(prefix.array()));
      fill(payload, Deadline.NONE, "");
      events.message(this, payload.array());
    }
  }

  private void fill(ByteBuffer buffer, long deadline, String timeoutMessage) throws IOException {
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer);
      if (n < 0) {
        throw new EOFException();
      }
      if (n == 0) {
        Deadline.select(readable, deadline, timeoutMessage);
      }
    }
  }

  private void send(ByteBuffer[] buffers, long deadline) throws IOException {
    lockForWriting(deadline);
    try {
      if (state() == State.CLOSED) {
        throw new ClosedChannelException();
      }
      drain(buffers, deadline);
    } catch (SpTimeoutException e) {
      if (buffers[0].position() > 0) {
        close("send timed out in the middle of a frame");
      }
      throw e;
    } catch (IOException | ClosedSelectorException e) {
      close("send failed: " + e);
      throw new IOException(name() + ": pipe closed (" + closeReason() + ")", e);
    } finally {
      writeLock.unlock();
    }
  }

  private void drain(ByteBuffer[] buffers, long deadline) throws IOException {
    long left = 0;
    for (ByteBuffer buffer : buffers) {
      left += buffer.remaining();
    }
    while (left > 0) {
      long written = channel.write(buffers);
      left -= written;
      if (written == 0) {
        Deadline.select(writable, deadline, name() + ": send timed out");
      }
    }
  }

  private void lockForWriting(long deadline) throws IOException {
    try {
      if (!writeLock.tryLock(Deadline.remaining(deadline), TimeUnit.NANOSECONDS)) {
        throw new SpTimeoutException(name() + ": send timed out waiting for an earlier send");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting to send");
    }
  }

  private synchronized State state() {
    return state;
  }

  private static void quietly(Selector selector) {
    try {
      if (selector != null) {
        selector.close();
      }
    } catch (IOException e) {
      LOG.log(Level.FINE, "closing a selector failed", e);
    }
  }
}
