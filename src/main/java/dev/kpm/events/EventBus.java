package dev.kpm.events;

import dev.kpm.threads.NamedThreads;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The lifecycle events of this kpm (docs/api.md §8.16): numbered, kept in a bounded buffer for
 * replay, and handed to listeners (the open event streams) on one {@code kpm-events} thread, so a
 * publisher — an install, a portable host's scheduler — never waits for a slow client. Listeners
 * also get a heartbeat every {@link #HEARTBEAT_SECONDS} seconds. Thread-safe.
 */
public final class EventBus implements AutoCloseable {
  public static final int HEARTBEAT_SECONDS = 15;
  private static final Logger LOG = Logger.getLogger(EventBus.class.getName());

  /** What a stream receives: events, and heartbeats to keep proxies from closing it. */
  public interface Listener {
    void event(KpmEvent event);

    void heartbeat();
  }

  private final int capacity;
  private final ArrayDeque<KpmEvent> buffer = new ArrayDeque<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final ExecutorService dispatch =
      Executors.newSingleThreadExecutor(NamedThreads.of("kpm-events-"));
  private final ScheduledExecutorService beat =
      Executors.newSingleThreadScheduledExecutor(NamedThreads.of("kpm-events-heartbeat-"));
  private long last;

  public EventBus(int capacity) {
    this(capacity, java.time.Duration.ofSeconds(HEARTBEAT_SECONDS));
  }

  /** With another heartbeat period: for tests. */
  EventBus(int capacity, java.time.Duration heartbeat) {
    this.capacity = capacity;
    long millis = heartbeat.toMillis();
    beat.scheduleWithFixedDelay(
        () -> deliver(Listener::heartbeat), millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Publishes an event; never blocks on listeners. */
  public void publish(String type, Map<String, Object> data) {
    publish(type, data, Set.of());
  }

  public void publish(String type, Map<String, Object> data, Set<String> adminOnly) {
    KpmEvent event;
    synchronized (this) {
      event = new KpmEvent(++last, type, Instant.now(), data, adminOnly);
      buffer.addLast(event);
      if (buffer.size() > capacity) {
        buffer.removeFirst();
      }
    }
    deliver(l -> l.event(event));
  }

  private void deliver(Consumer<Listener> what) {
    try {
      dispatch.execute(
          () -> {
            for (Listener l : listeners) {
              try {
                what.accept(l);
              } catch (RuntimeException e) {
                LOG.log(Level.FINE, "an event listener failed; it is removed", e);
                listeners.remove(l);
              }
            }
          });
    } catch (RejectedExecutionException e) {
      // closed: nobody listens any more
    }
  }

  /**
   * Adds a listener and hands it, on the dispatch thread and before any later event, what it missed
   * after {@code lastSeen} — or {@code reset} when the buffer no longer holds all of it.
   *
   * @param lastSeen the last event id the client has, or null for a new stream
   * @param reset called (instead of the replay) with the oldest id still held
   */
  public AutoCloseable subscribe(Long lastSeen, Listener listener, Consumer<Long> reset) {
    try {
      dispatch
          .submit(
              () -> {
                if (lastSeen != null) {
                  Optional<List<KpmEvent>> missed = since(lastSeen);
                  if (missed.isEmpty()) {
                    reset.accept(oldest());
                  } else {
                    missed.get().forEach(listener::event);
                  }
                }
                listeners.add(listener);
              })
          .get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot subscribe to events: " + e, e);
    }
    return () -> listeners.remove(listener);
  }

  /** The events after {@code lastSeen}, or empty when some of them are no longer held. */
  synchronized Optional<List<KpmEvent>> since(long lastSeen) {
    if (lastSeen > last) {
      return Optional.empty(); // an id from before a restart of kpm
    }
    KpmEvent first = buffer.peekFirst();
    if (first != null && lastSeen < first.id() - 1) {
      return Optional.empty();
    }
    List<KpmEvent> out = new ArrayList<>();
    for (KpmEvent e : buffer) {
      if (e.id() > lastSeen) {
        out.add(e);
      }
    }
    return Optional.of(out);
  }

  private synchronized long oldest() {
    KpmEvent first = buffer.peekFirst();
    return first == null ? last : first.id();
  }

  /** The newest events, for tests and diagnostics. */
  public synchronized List<KpmEvent> recent() {
    return List.copyOf(buffer);
  }

  @Override
  public void close() {
    beat.shutdownNow();
    dispatch.shutdownNow();
    listeners.clear();
  }
}
