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

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin-side REQ against a raw REP: request IDs, stale replies, state errors, pipe loss. */
class ReqSocketTest {
  @TempDir Path dir;
  private Path path;
  private RawPeer rep;
  private ReqSocket req;

  @BeforeEach
  void connect() throws Exception {
    path = SpTests.unique(dir, "req");
    AtomicReference<CompletableFuture<ReqSocket>> dialing = new AtomicReference<>();
    rep =
        RawPeer.acceptOne(
            path,
            () ->
                dialing.set(
                    CompletableFuture.supplyAsync(
                        () -> unchecked(() -> ReqSocket.dial(path, WAIT)))));
    rep.handshake(Sp.REP, Sp.REQ);
    req = dialing.get().get(20, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws IOException {
    req.close();
    rep.close();
    SpTests.assertNoThreadsOf(path);
  }

  @Test
  void requestIdsHaveTheTopBitAndCountUpByOne() throws IOException {
    req.send(bytes("a"));
    byte[] first = rep.readFrame();
    req.send(bytes("b"));
    byte[] second = rep.readFrame();

    assertTrue((first[0] & 0x80) != 0, "top bit");
    assertEquals(Sp.nextRequestId(Sp.leadingId(first)), Sp.leadingId(second));
    assertEquals("a", text(Arrays.copyOfRange(first, 4, first.length)));
  }

  @Test
  void theReplyWithTheOutstandingIdIsReturned() throws IOException {
    req.send(bytes("hello"));
    byte[] request = rep.readFrame();

    rep.writeFrame(concat(Arrays.copyOf(request, 4), bytes("world")));

    assertEquals("world", text(req.receive(WAIT)));
  }

  @Test
  void staleAndShortRepliesAreDropped() throws IOException {
    req.send(bytes("old"));
    byte[] old = rep.readFrame();
    req.send(bytes("new"));
    byte[] current = rep.readFrame();

    rep.writeFrame(concat(Arrays.copyOf(old, 4), bytes("for old")));
    rep.writeFrame(bytes("ab"));
    rep.writeFrame(concat(Sp.idBytes(0x80000000 ^ Sp.leadingId(current)), bytes("unknown")));
    rep.writeFrame(concat(Arrays.copyOf(current, 4), bytes("for new")));

    assertEquals("for new", text(req.receive(WAIT)));
  }

  @Test
  void receiveWithoutARequestIsAProtocolStateError() {
    assertThrows(ProtocolStateException.class, () -> req.receive(QUIET));
  }

  @Test
  void aReceiveThatTimedOutEndsTheRequest() throws IOException {
    req.send(bytes("q"));
    assertThrows(SpTimeoutException.class, () -> req.receive(QUIET));

    assertThrows(ProtocolStateException.class, () -> req.receive(QUIET));
  }

  @Test
  void aReplyEndsTheRequest() throws IOException {
    req.send(bytes("q"));
    byte[] request = rep.readFrame();
    rep.writeFrame(concat(Arrays.copyOf(request, 4), bytes("a")));
    req.receive(WAIT);

    assertThrows(ProtocolStateException.class, () -> req.receive(QUIET));
  }

  @Test
  void losingThePipeFailsThePendingReceiveAtOnce() throws Exception {
    req.send(bytes("q"));
    rep.readFrame();
    long start = System.nanoTime();

    rep.close();

    IOException e = assertThrows(IOException.class, () -> req.receive(WAIT));
    assertFalse(e instanceof SpTimeoutException, e.toString());
    assertTrue(e.getMessage().contains("connection lost"), e.getMessage());
    assertTrue(System.nanoTime() - start < WAIT.toNanos(), "waited for the timeout");
    assertThrows(IOException.class, () -> req.send(bytes("again")));
  }

  @Test
  void requestIsSendThenReceive() throws Exception {
    CompletableFuture<byte[]> answer =
        CompletableFuture.supplyAsync(() -> unchecked(() -> req.request(bytes("ping"), WAIT)));
    byte[] request = rep.readFrame();

    rep.writeFrame(concat(Arrays.copyOf(request, 4), bytes("pong")));

    assertArrayEquals(bytes("pong"), answer.get(20, TimeUnit.SECONDS));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
