package dev.kpm.portable.sp;

import static dev.kpm.portable.sp.SpTests.bytes;
import static dev.kpm.portable.sp.SpTests.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-pipe queues behind REP and PULL: round-robin over pipes, and what a closed pipe keeps.
 */
class SpInboxTest {
  private static final Pipe.Events NO_EVENTS =
      new Pipe.Events() {
        @Override
        public void message(Pipe pipe, byte[] payload) {}

        @Override
        public void closed(Pipe pipe) {}
      };

  private final List<Pipe> pipes = new ArrayList<>();

  @AfterEach
  void closePipes() {
    pipes.forEach(pipe -> pipe.close("test over"));
  }

  @Test
  void pipesTakeTurns() throws Exception {
    Inbox inbox = new Inbox(false);
    Pipe a = pipe();
    Pipe b = pipe();
    inbox.put(a, bytes("a1"));
    inbox.put(a, bytes("a2"));
    inbox.put(a, bytes("a3"));
    inbox.put(b, bytes("b1"));

    List<String> order = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      order.add(text(inbox.take(soon(), "test").payload()));
    }

    assertEquals(List.of("a1", "b1", "a2", "a3"), order);
  }

  @Test
  void theMessageNamesItsPipe() throws Exception {
    Inbox inbox = new Inbox(false);
    Pipe a = pipe();
    inbox.put(a, bytes("x"));

    assertSame(a, inbox.take(soon(), "test").pipe());
  }

  @Test
  void closedPipesKeepTheirMessagesUnlessDropping() throws Exception {
    Inbox keeping = new Inbox(false);
    Inbox dropping = new Inbox(true);
    Pipe a = pipe();
    keeping.put(a, bytes("kept"));
    dropping.put(a, bytes("dropped"));

    a.close("gone");
    keeping.pipeClosed(a);
    dropping.pipeClosed(a);

    assertEquals("kept", text(keeping.take(soon(), "test").payload()));
    assertThrows(SpTimeoutException.class, () -> dropping.take(soon(), "test"));
  }

  @Test
  void aClosedInboxHandsOutWhatIsQueuedThenFailsWithTheReason() throws Exception {
    Inbox inbox = new Inbox(false);
    inbox.put(pipe(), bytes("last"));

    inbox.close("connection lost");

    assertEquals("last", text(inbox.take(soon(), "test").payload()));
    IOException e = assertThrows(IOException.class, () -> inbox.take(soon(), "REQ"));
    assertEquals("REQ: connection lost", e.getMessage());
  }

  /** An unstarted pipe: a queue key that never reads. */
  private Pipe pipe() throws IOException {
    Pipe pipe =
        new Pipe(
            SocketChannel.open(StandardProtocolFamily.UNIX), Sp.PULL, "kpm-sp-test", NO_EVENTS);
    pipes.add(pipe);
    return pipe;
  }

  private static long soon() {
    return Deadline.after(Duration.ofMillis(200));
  }
}
