package dev.kpm.portable.sp;

import static dev.kpm.portable.sp.SpCodecTest.hex;
import static dev.kpm.portable.sp.SpTests.QUIET;
import static dev.kpm.portable.sp.SpTests.WAIT;
import static dev.kpm.portable.sp.SpTests.bytes;
import static dev.kpm.portable.sp.SpTests.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.testing.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * REQ ↔ REP in Java, and REP against raw bytes: the mangos semantics of docs/portable-protocol.md
 * §4.6.
 */
class RepSocketTest {
  @TempDir Path dir;
  private Path path;
  private RepSocket rep;

  @BeforeEach
  void listen() throws IOException {
    path = SpTests.unique(dir, "rep");
    rep = RepSocket.listen(path);
  }

  @AfterEach
  void closeAndCheckThreads() {
    rep.close();
    SpTests.assertNoThreadsOf(path);
  }

  @Test
  void requestsAndRepliesRoundTrip() throws IOException {
    try (ReqSocket req = ReqSocket.dial(path, WAIT)) {
      for (int i = 0; i < 3; i++) {
        req.send(bytes("hello " + i));
        assertEquals("hello " + i, text(rep.receive(WAIT)));
        rep.send(bytes("world " + i));
        assertEquals("world " + i, text(req.receive(WAIT)));
      }
    }
  }

  @Test
  void emptyBodiesRoundTrip() throws IOException {
    try (ReqSocket req = ReqSocket.dial(path, WAIT)) {
      req.send(new byte[0]);
      assertArrayEquals(new byte[0], rep.receive(WAIT));
      rep.send(new byte[0]);
      assertArrayEquals(new byte[0], req.receive(WAIT));
    }
  }

  @Test
  void sendWithoutARequestIsAProtocolStateError() {
    assertThrows(ProtocolStateException.class, () -> rep.send(bytes("cmd")));
  }

  @Test
  void aSecondSendForOneRequestIsAProtocolStateError() throws IOException {
    try (ReqSocket req = ReqSocket.dial(path, WAIT)) {
      req.send(bytes("q"));
      rep.receive(WAIT);
      rep.send(bytes("a"));

      assertThrows(ProtocolStateException.class, () -> rep.send(bytes("again")));
    }
  }

  @Test
  void receiveTimesOutWhenNothingArrives() {
    assertThrows(SpTimeoutException.class, () -> rep.receive(QUIET));
  }

  @Test
  void aLaterRequestOverwritesTheUnansweredOneSoTheReplyCarriesItsId() throws IOException {
    try (ReqSocket req = ReqSocket.dial(path, WAIT)) {
      req.send(bytes("first"));
      req.send(bytes("second"));
      assertEquals("first", text(rep.receive(WAIT)));
      assertEquals("second", text(rep.receive(WAIT)));

      rep.send(bytes("answer"));

      assertEquals("answer", text(req.receive(WAIT)));
    }
  }

  @Test
  void repliesFollowTheirRequestsPipe() throws IOException {
    try (ReqSocket a = ReqSocket.dial(path, WAIT);
        ReqSocket b = ReqSocket.dial(path, WAIT)) {
      a.send(bytes("a"));
      b.send(bytes("b"));
      for (int i = 0; i < 2; i++) {
        String body = text(rep.receive(WAIT));
        rep.send(bytes("re:" + body));
      }

      assertEquals("re:a", text(a.receive(WAIT)));
      assertEquals("re:b", text(b.receive(WAIT)));
      assertEquals(2, rep.pipes());
    }
  }

  @Test
  void onlyTheLastReceivedRequestsPipeGetsTheReply() throws IOException {
    try (ReqSocket a = ReqSocket.dial(path, WAIT);
        ReqSocket b = ReqSocket.dial(path, WAIT)) {
      a.send(bytes("a"));
      b.send(bytes("b"));
      rep.receive(WAIT);
      String last = text(rep.receive(WAIT));

      rep.send(bytes("only"));

      ReqSocket answered = last.equals("a") ? a : b;
      ReqSocket overwritten = last.equals("a") ? b : a;
      assertEquals("only", text(answered.receive(WAIT)));
      assertThrows(SpTimeoutException.class, () -> overwritten.receive(QUIET));
    }
  }

  @Test
  void aQueuedRequestOfAPipeThatClosedIsDiscarded() throws Exception {
    try (ReqSocket b = ReqSocket.dial(path, WAIT)) {
      ReqSocket a = ReqSocket.dial(path, WAIT);
      awaitPipes(2); // dial returns when the REQ side has our header; the REP side may lag
      a.send(bytes("from a"));
      b.send(bytes("from b"));
      a.close();
      awaitPipes(1);

      assertEquals("from b", text(rep.receive(WAIT)));
      assertThrows(SpTimeoutException.class, () -> rep.receive(QUIET));
    }
  }

  @Test
  void aReplyToAPipeThatClosedIsDroppedSilently() throws Exception {
    ReqSocket a = ReqSocket.dial(path, WAIT);
    a.send(bytes("q"));
    rep.receive(WAIT);
    a.close();
    awaitPipes(0);

    rep.send(bytes("nobody listens"));

    assertThrows(ProtocolStateException.class, () -> rep.send(bytes("slot was cleared")));
  }

  @Test
  void theCapturedRequestGetsTheCapturedReplyBytes() throws IOException {
    try (RawPeer req = RawPeer.connect(path).handshake(Sp.REQ, Sp.REP)) {
      req.write(hex("01 | 00 00 00 00 00 00 00 09 | c7 8c ca 14 | 68 65 6c 6c 6f"));
      assertEquals("hello", text(rep.receive(WAIT)));

      rep.send(bytes("world"));

      assertArrayEquals(
          hex("01 | 00 00 00 00 00 00 00 09 | c7 8c ca 14 | 77 6f 72 6c 64"), req.read(18));
    }
  }

  @Test
  void aMultiHopBacktraceIsEchoedWhole() throws IOException {
    try (RawPeer req = RawPeer.connect(path).handshake(Sp.REQ, Sp.REP)) {
      req.writeFrame(hex("00 00 00 07 | 00 00 00 09 | 80 00 00 2a | 71"));
      assertArrayEquals(hex("71"), rep.receive(WAIT));

      rep.send(hex("72"));

      assertArrayEquals(hex("00 00 00 07 | 00 00 00 09 | 80 00 00 2a | 72"), req.readFrame());
    }
  }

  @Test
  void requestsWithoutAValidBacktraceAreDroppedAndThePipeStays() throws IOException {
    try (RawPeer req = RawPeer.connect(path).handshake(Sp.REQ, Sp.REP)) {
      req.writeFrame(hex("80 00"));
      req.writeFrame(
          hex(
              "00 00 00 01 00 00 00 02 00 00 00 03 00 00 00 04"
                  + "00 00 00 05 00 00 00 06 00 00 00 07 00 00 00 08 80 00 00 09 78"));
      req.writeFrame(hex("80 00 00 01 | 6f 6b"));

      assertEquals("ok", text(rep.receive(WAIT)));
      assertEquals(1, rep.pipes());
    }
  }

  @Test
  void aPeerWithTheWrongProtocolIsDisconnected() throws IOException {
    try (RawPeer push = RawPeer.connect(path)) {
      push.write(Sp.header(Sp.PUSH));

      assertArrayEquals(Sp.header(Sp.REP), push.read(8));
      push.assertClosedByPeer();
      assertEquals(0, rep.pipes());
    }
  }

  @Test
  void aFrameWithABadTypeByteClosesThePipe() throws IOException {
    try (RawPeer req = RawPeer.connect(path).handshake(Sp.REQ, Sp.REP)) {
      req.write(hex("02 | 00 00 00 00 00 00 00 05 | 80 00 00 01 | 78"));

      req.assertClosedByPeer();
      assertThrows(SpTimeoutException.class, () -> rep.receive(QUIET));
    }
  }

  @Test
  void aFrameOver64MiBClosesThePipe() throws IOException {
    try (RawPeer req = RawPeer.connect(path).handshake(Sp.REQ, Sp.REP)) {
      req.write(Sp.prefix(Sp.MAX_PAYLOAD + 1L));

      req.assertClosedByPeer();
    }
  }

  @Test
  void aPeerThatSendsNoHeaderIsDroppedAfterTenSeconds() throws IOException {
    try (RawPeer silent = RawPeer.connect(path)) {
      assertArrayEquals(Sp.header(Sp.REP), silent.read(8));
      long start = System.nanoTime();

      silent.assertClosedByPeer(Duration.ofSeconds(30));

      assertTrue(System.nanoTime() - start >= TimeUnit.SECONDS.toNanos(9), "closed too early");
    }
  }

  @Test
  void manyPipesAreServedTogether() throws IOException {
    Set<String> seen = new HashSet<>();
    ReqSocket[] plugins = new ReqSocket[8];
    try {
      for (int i = 0; i < plugins.length; i++) {
        plugins[i] = ReqSocket.dial(path, WAIT);
        plugins[i].send(bytes("p" + i));
      }
      for (int i = 0; i < plugins.length; i++) {
        String body = text(rep.receive(WAIT));
        seen.add(body);
        rep.send(bytes(body + "!"));
      }
      for (int i = 0; i < plugins.length; i++) {
        assertEquals("p" + i + "!", text(plugins[i].receive(WAIT)));
      }
      assertEquals(plugins.length, seen.size());
    } finally {
      for (ReqSocket plugin : plugins) {
        if (plugin != null) {
          plugin.close();
        }
      }
    }
  }

  @Test
  void closeWakesAWaitingReceiver() throws Exception {
    CompletableFuture<byte[]> waiting = new CompletableFuture<>();
    Thread receiver =
        new Thread(
            () -> {
              try {
                waiting.complete(rep.receive(Duration.ofMinutes(5)));
              } catch (IOException e) {
                waiting.completeExceptionally(new UncheckedIOException(e));
              }
            },
            "test-receiver");
    receiver.start();
    Await.blockedIn("Inbox.awaitArrival", receiver);

    rep.close();

    Exception e = assertThrows(Exception.class, () -> waiting.get(20, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof UncheckedIOException, String.valueOf(e.getCause()));
  }

  private void awaitPipes(int count) {
    Await.until("the REP has " + count + " pipe(s)", WAIT, () -> rep.pipes() == count);
  }
}
