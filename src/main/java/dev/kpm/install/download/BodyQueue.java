package dev.kpm.install.download;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Hands one response, its head and then its body one part at a time, from the worker thread that
 * does the blocking I/O to the downloading thread, so that thread can wait with a deadline and stop
 * the transfer by cancelling the exchange: a stalled server cannot hold it past the timeout, an
 * interrupt reaches it at once, and no timer thread is needed. At most {@link #PARTS_AHEAD} parts
 * are read ahead of the disk (the worker waits for {@link #request}), so a large body is streamed,
 * never buffered. The producer side ({@link #head(Head)}, {@link #awaitDemand}, {@link #part},
 * {@link #end}, {@link #fail}) is called by the worker and never blocks except in {@code
 * awaitDemand}; {@link #head(long)}, {@link #next} and {@link #request} by the downloading thread.
 */
final class BodyQueue {
  static final int PARTS_AHEAD = 4;
  private static final Object END = new Object();

  /** What the downloading thread needs of a response before its body. */
  record Head(int status, long contentLength, String location) {}

  private final BlockingQueue<Object> items = new LinkedBlockingQueue<>();
  private final Semaphore demand = new Semaphore(PARTS_AHEAD);

  void head(Head head) {
    items.add(head);
  }

  /** Waits until the downloading thread has room for another part. */
  void awaitDemand() throws InterruptedException {
    demand.acquire();
  }

  void part(ByteBuffer part) {
    items.add(part);
  }

  void end() {
    items.add(END);
  }

  void fail(Throwable failure) {
    items.add(failure);
  }

  /** The response head, once the request has been answered. */
  Head head(long deadlineNanos) throws IOException, InterruptedException, TimeoutException {
    Object item = take(deadlineNanos);
    if (item instanceof Head head) {
      return head;
    }
    throw new IOException("response ended before its head: " + item);
  }

  /** The next part, or null at the end of the body; call {@link #request} once it is consumed. */
  ByteBuffer next(long deadlineNanos) throws IOException, InterruptedException, TimeoutException {
    Object item = take(deadlineNanos);
    if (item == END) {
      return null;
    }
    if (item instanceof ByteBuffer part) {
      return part;
    }
    throw new IOException("unexpected part of a response: " + item);
  }

  /** Lets the worker read one more part. */
  void request() {
    demand.release();
  }

  private Object take(long deadlineNanos)
      throws IOException, InterruptedException, TimeoutException {
    Object item = items.poll(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
    if (item == null) {
      throw new TimeoutException();
    }
    if (item instanceof Throwable failure) {
      throw failure instanceof IOException io ? io : new IOException(failure);
    }
    return item;
  }
}
