package dev.kpm.portable.sp;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Connects to a listening SP peer, retrying every 100 ms (NNG's fixed redial interval) until a
 * deadline, and returns a pipe whose header exchange succeeded. Runs on the caller's thread.
 *
 * @param cancelled checked before every attempt; true stops dialing with an IOException
 */
record Dialer(Path path, int protocol, Pipe.Events events, BooleanSupplier cancelled) {
  static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /**
   * @param threadName the new pipe's reader thread
   * @throws SpTimeoutException when no attempt succeeded by the deadline, with the best reason
   */
  Pipe dial(String threadName, long deadline) throws IOException {
    Sp.address(path);
    String last = null;
    while (!cancelled.getAsBoolean()) {
      try {
        return attempt(threadName, deadline);
      } catch (IOException e) {
        // An attempt cut short by the deadline says less than the refusal before it.
        if (last == null || !(e instanceof SpTimeoutException)) {
          last = e.getMessage();
        }
      }
      if (Deadline.remaining(deadline) <= 0) {
        throw new SpTimeoutException("cannot dial " + path + " in time: " + last);
      }
      pause(Math.min(RETRY_NANOS, Deadline.remaining(deadline)));
    }
    throw new IOException("dialing " + path + " was cancelled: the socket is closed");
  }

  private Pipe attempt(String threadName, long deadline) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(Sp.address(path));
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    Pipe pipe = new Pipe(channel, protocol, threadName, events);
    pipe.start();
    try {
      pipe.awaitOpen(deadline);
      return pipe;
    } catch (IOException e) {
      pipe.close("SP header exchange failed");
      join(pipe);
      throw e;
    }
  }

  private static void join(Pipe pipe) throws InterruptedIOException {
    try {
      pipe.join(Listener.JOIN);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while dialing");
    }
  }

  private static void pause(long nanos) throws InterruptedIOException {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while dialing");
    }
  }
}
