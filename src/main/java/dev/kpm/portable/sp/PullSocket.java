package dev.kpm.portable.sp;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The host end of a source data or sink ack channel: an SP PULL socket listening on a Unix-domain
 * path. Messages are fair-queued over any number of pushing pipes; what a pipe sent before it
 * closed is still delivered.
 *
 * <p>Lifecycle: OPEN ──close()──▶ CLOSED; OPEN ──accept fails──▶ FAILED ──close()──▶ CLOSED, where
 * FAILED still reads the pipes already connected. {@link #close} is idempotent, closes every pipe,
 * waits (bounded) for the socket's threads and unlinks the socket file.
 *
 * <p>Thread-safety: every method may be called from any thread.
 */
public final class PullSocket implements AutoCloseable {
  private final Listener listener;
  private final Inbox inbox;

  private PullSocket(Listener listener, Inbox inbox) {
    this.listener = listener;
    this.inbox = inbox;
  }

  /** Listens on {@code path}, with the same housekeeping as {@link RepSocket#listen}. */
  public static PullSocket listen(Path path) throws IOException {
    Inbox inbox = new Inbox(false);
    return new PullSocket(Listener.open(path, Sp.PULL, inbox), inbox);
  }

  /**
   * The next message from any pipe.
   *
   * @throws SpTimeoutException when nothing arrives in time
   */
  public byte[] receive(Duration timeout) throws IOException {
    if (listener.lifecycle().closed()) {
      throw new IOException(describe() + " is closed");
    }
    return inbox.take(Deadline.after(timeout), describe()).payload();
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

  private String describe() {
    return "PULL socket on " + listener.path();
  }
}
