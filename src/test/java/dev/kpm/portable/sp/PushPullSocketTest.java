package dev.kpm.portable.sp;

import static dev.kpm.portable.sp.SpTests.QUIET;
import static dev.kpm.portable.sp.SpTests.WAIT;
import static dev.kpm.portable.sp.SpTests.bytes;
import static dev.kpm.portable.sp.SpTests.text;
import static dev.kpm.portable.sp.SpTests.unchecked;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.testing.Await;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PUSH → PULL in Java: order, sizes, redial, timeouts, and what PULL keeps of a closed pipe. */
class PushPullSocketTest {
  @TempDir Path dir;
  private Path path;

  @BeforeEach
  void name() {
    path = SpTests.unique(dir, "pull");
  }

  @AfterEach
  void noThreadsLeft() {
    SpTests.assertNoThreadsOf(path);
  }

  @Test
  void messagesArriveInOrder() throws IOException {
    try (PullSocket pull = PullSocket.listen(path);
        PushSocket push = PushSocket.dial(path, WAIT)) {
      for (int i = 0; i < 200; i++) {
        push.send(bytes("m" + i), WAIT);
      }
      for (int i = 0; i < 200; i++) {
        assertEquals("m" + i, text(pull.receive(WAIT)));
      }
    }
  }

  @Test
  void emptyAndLargeMessagesArriveIntact() throws IOException {
    byte[] large = new byte[3 << 20];
    new Random(7).nextBytes(large);
    try (PullSocket pull = PullSocket.listen(path);
        PushSocket push = PushSocket.dial(path, WAIT)) {
      push.send(new byte[0], WAIT);
      push.send(large, WAIT);

      assertArrayEquals(new byte[0], pull.receive(WAIT));
      assertArrayEquals(large, pull.receive(WAIT));
    }
  }

  @Test
  void theSourceTupleCaptureIsWrittenByteForByte() throws Exception {
    byte[] tuple = bytes("{\"message\":{\"a\":1},\"meta\":null}");
    AtomicReference<CompletableFuture<PushSocket>> dialing = new AtomicReference<>();
    try (RawPeer pull = RawPeer.acceptOne(path, () -> dialing.set(dialAsync()))) {
      pull.write(Sp.header(Sp.PULL));
      assertArrayEquals(Sp.header(Sp.PUSH), pull.read(8));
      try (PushSocket push = dialing.get().get(20, TimeUnit.SECONDS)) {

        push.send(tuple, WAIT);

        assertArrayEquals(SpCodecTest.hex("01 00 00 00 00 00 00 00 1f"), pull.read(9));
        assertArrayEquals(tuple, pull.read(31));
      }
    }
  }

  @Test
  void aSendThePeerDoesNotReadTimesOutAndClosesTheCutPipe() throws Exception {
    byte[] large = new byte[32 << 20];
    AtomicReference<CompletableFuture<PushSocket>> dialing = new AtomicReference<>();
    try (RawPeer stuck = RawPeer.acceptOne(path, () -> dialing.set(dialAsync()))) {
      stuck.handshake(Sp.PULL, Sp.PUSH);
      try (PushSocket push = dialing.get().get(20, TimeUnit.SECONDS)) {
        long start = System.nanoTime();

        assertThrows(SpTimeoutException.class, () -> push.send(large, QUIET));

        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(8), "send was not bounded");
        stuck.assertClosedByPeer();
      }
    }
  }

  @Test
  void whatAPipeSentBeforeClosingIsStillDelivered() throws Exception {
    try (PullSocket pull = PullSocket.listen(path)) {
      PushSocket push = PushSocket.dial(path, WAIT);
      awaitPipes(pull, 1); // so that 0 below means "closed", not "still negotiating"
      for (int i = 0; i < 3; i++) {
        push.send(bytes("t" + i), WAIT);
      }
      push.close();
      awaitPipes(pull, 0);

      for (int i = 0; i < 3; i++) {
        assertEquals("t" + i, text(pull.receive(WAIT)));
      }
    }
  }

  @Test
  void pushRedialsWhenItsPeerWasReplaced() throws Exception {
    try (PushSocket push = dialNewPull()) {
      try (PullSocket second = PullSocket.listen(path)) {
        push.send(bytes("after restart"), WAIT);

        assertEquals("after restart", text(second.receive(WAIT)));
      }
    }
  }

  @Test
  void pushTimesOutWhenNoPeerComesBack() throws Exception {
    try (PushSocket push = dialNewPull()) {
      long start = System.nanoTime();

      assertThrows(SpTimeoutException.class, () -> push.send(bytes("lost"), QUIET));

      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(8), "send was not bounded");
    }
  }

  @Test
  void dialWaitsForTheListener() throws Exception {
    CompletableFuture<PushSocket> dialing = new CompletableFuture<>();
    Thread dialer =
        new Thread(
            () -> {
              try {
                dialing.complete(PushSocket.dial(path, WAIT));
              } catch (Throwable e) {
                dialing.completeExceptionally(e);
              }
            },
            "test-dialer");
    dialer.start();
    // Its first attempt found no listener: it waits out the redial interval.
    Await.blockedIn("Dialer.pause", dialer);
    assertFalse(dialing.isDone(), "the dial ended without a listener");
    try (PullSocket pull = PullSocket.listen(path);
        PushSocket push = dialing.get(20, TimeUnit.SECONDS)) {
      push.send(bytes("late"), WAIT);

      assertEquals("late", text(pull.receive(WAIT)));
    }
  }

  @Test
  void dialTimesOutWithoutAListener() {
    SpTimeoutException e =
        assertThrows(SpTimeoutException.class, () -> PushSocket.dial(path, QUIET));

    assertTrue(e.getMessage().startsWith("cannot dial " + path), e.getMessage());
  }

  @Test
  void dialRefusesAListenerOfTheWrongProtocol() throws IOException {
    try (RepSocket rep = RepSocket.listen(path)) {
      SpTimeoutException e =
          assertThrows(SpTimeoutException.class, () -> PushSocket.dial(path, QUIET));

      assertTrue(e.getMessage().contains("peer speaks REP (0x31), expected PULL"), e.getMessage());
    }
  }

  @Test
  void twoPushersShareOnePull() throws Exception {
    try (PullSocket pull = PullSocket.listen(path);
        PushSocket a = PushSocket.dial(path, WAIT);
        PushSocket b = PushSocket.dial(path, WAIT)) {
      a.send(bytes("a"), WAIT);
      b.send(bytes("b"), WAIT);

      String first = text(pull.receive(WAIT));
      String second = text(pull.receive(WAIT));

      assertEquals("ab", first.compareTo(second) < 0 ? first + second : second + first);
      assertEquals(2, pull.pipes());
    }
  }

  @Test
  void pullRefusesASecondPullerAsAddressInUse() throws IOException {
    try (PullSocket pull = PullSocket.listen(path)) {
      IOException e = assertThrows(IOException.class, () -> PullSocket.listen(path));

      assertTrue(e.getMessage().startsWith("address in use"), e.getMessage());
    }
  }

  @Test
  void sendAfterCloseFails() throws IOException {
    try (PullSocket pull = PullSocket.listen(path)) {
      PushSocket push = PushSocket.dial(path, WAIT);
      push.close();
      push.close();

      assertThrows(IOException.class, () -> push.send(bytes("x"), QUIET));
    }
  }

  /** A PUSH whose first PULL has gone away again. */
  private PushSocket dialNewPull() throws Exception {
    PushSocket push;
    try (PullSocket first = PullSocket.listen(path)) {
      push = PushSocket.dial(path, WAIT);
      push.send(bytes("before"), WAIT);
      assertEquals("before", text(first.receive(WAIT)));
    }
    return push;
  }

  private CompletableFuture<PushSocket> dialAsync() {
    return CompletableFuture.supplyAsync(() -> unchecked(() -> PushSocket.dial(path, WAIT)));
  }

  private static void awaitPipes(PullSocket pull, int count) {
    Await.until("the PULL has " + count + " pipe(s)", WAIT, () -> pull.pipes() == count);
  }
}
