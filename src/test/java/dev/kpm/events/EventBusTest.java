package dev.kpm.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EventBusTest {
  private static final class Recorder implements EventBus.Listener {
    final List<KpmEvent> events = new CopyOnWriteArrayList<>();
    final AtomicInteger beats = new AtomicInteger();

    @Override
    public void event(KpmEvent event) {
      events.add(event);
    }

    @Override
    public void heartbeat() {
      beats.incrementAndGet();
    }
  }

  @Test
  void aSubscriberGetsWhatItMissedBeforeAnythingNewInOrder() throws Exception {
    try (EventBus bus = new EventBus(10)) {
      for (int i = 1; i <= 5; i++) {
        bus.publish("e", Map.of("n", i));
      }
      Recorder r = new Recorder();
      bus.subscribe(
          2L,
          r,
          oldest -> {
            throw new AssertionError("no reset expected");
          });
      bus.publish("e", Map.of("n", 6));
      Await.until("four events", () -> r.events.size() == 4);
      assertEquals(List.of(3L, 4L, 5L, 6L), r.events.stream().map(KpmEvent::id).toList());
    }
  }

  @Test
  void anIdTheBufferNoLongerHoldsOrNeverIssuedGetsAReset() throws Exception {
    try (EventBus bus = new EventBus(3)) {
      for (int i = 1; i <= 6; i++) {
        bus.publish("e", Map.of("n", i));
      }
      assertEquals(Optional.empty(), bus.since(1));
      assertEquals(List.of(5L, 6L), bus.since(4).orElseThrow().stream().map(KpmEvent::id).toList());
      assertEquals(Optional.empty(), bus.since(99));
      AtomicLong oldest = new AtomicLong();
      Recorder r = new Recorder();
      bus.subscribe(1L, r, oldest::set);
      assertEquals(4, oldest.get());
      assertTrue(r.events.isEmpty());
    }
  }

  @Test
  void listenersGetHeartbeatsAndAdminOnlyFieldsAreHiddenFromOthers() throws Exception {
    try (EventBus bus = new EventBus(10, Duration.ofMillis(50))) {
      Recorder r = new Recorder();
      bus.subscribe(null, r, oldest -> {});
      Await.until("two heartbeats", () -> r.beats.get() >= 2);
      bus.publish("plugin.created", Map.of("name", "x", "by", "alice"), Set.of("by"));
      Await.until("the event", () -> r.events.size() == 1);
      KpmEvent e = r.events.get(0);
      assertEquals("alice", e.shownTo(true).get("by"));
      assertFalse(e.shownTo(false).containsKey("by"));
      assertEquals("x", e.shownTo(false).get("name"));
    }
  }

  @Test
  void aFailingListenerIsDroppedAndOthersGoOn() throws Exception {
    try (EventBus bus = new EventBus(10)) {
      Recorder good = new Recorder();
      bus.subscribe(
          null,
          new EventBus.Listener() {
            @Override
            public void event(KpmEvent event) {
              throw new IllegalStateException("client gone");
            }

            @Override
            public void heartbeat() {}
          },
          oldest -> {});
      bus.subscribe(null, good, oldest -> {});
      bus.publish("a", Map.of());
      bus.publish("b", Map.of());
      Await.until("both events", () -> good.events.size() == 2);
    }
  }
}
