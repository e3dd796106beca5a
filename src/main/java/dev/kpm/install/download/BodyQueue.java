package dev.kpm.install.download;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Hands a response body from HttpClient's threads to the downloading thread, one part at a time, so
 * that thread can wait with a deadline and stop the transfer by cancelling: a stalled server cannot
 * hold it past the timeout, and no timer thread is needed. The subscriber side is called by
 * HttpClient; {@link #next}, {@link #request} and {@link #cancel} by the downloading thread.
 */
final class BodyQueue implements Flow.Subscriber<List<ByteBuffer>> {
  private static final Object END = new Object();

  private final BlockingQueue<Object> parts = new LinkedBlockingQueue<>();
  private final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();

  @Override
  public void onSubscribe(Flow.Subscription s) {
    if (subscription.complete(s)) {
      s.request(1);
    } else {
      s.cancel();
    }
  }

  @Override
  public void onNext(List<ByteBuffer> part) {
    parts.add(part);
  }

  @Override
  public void onError(Throwable failure) {
    parts.add(failure);
  }

  @Override
  public void onComplete() {
    parts.add(END);
  }

  /** The next part, or null at the end of the body; call {@link #request} once it is consumed. */
  @SuppressWarnings("unchecked")
  List<ByteBuffer> next(long deadlineNanos)
      throws IOException, InterruptedException, TimeoutException {
    Object part = parts.poll(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
    if (part == null) {
      throw new TimeoutException();
    }
    if (part instanceof Throwable failure) {
      throw failure instanceof IOException io ? io : new IOException(failure);
    }
    return part == END ? null : (List<ByteBuffer>) part;
  }

  void request() {
    subscription.join().request(1);
  }

  /** Stops the transfer and closes the connection; harmless once the body has ended. */
  void cancel() {
    subscription.thenAccept(Flow.Subscription::cancel);
  }
}
