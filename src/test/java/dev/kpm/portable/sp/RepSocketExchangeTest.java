package dev.kpm.portable.sp;

import static dev.kpm.portable.sp.SpTests.QUIET;
import static dev.kpm.portable.sp.SpTests.WAIT;
import static dev.kpm.portable.sp.SpTests.bytes;
import static dev.kpm.portable.sp.SpTests.text;
import static dev.kpm.portable.sp.SpTests.unchecked;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RepSocket#exchange}: eKuiper's host send loop of docs/portable-protocol.md §3.4, driven by
 * a Java REQ.
 */
class RepSocketExchangeTest {
  @TempDir Path dir;
  private Path path;
  private RepSocket rep;

  @BeforeEach
  void listen() throws IOException {
    path = SpTests.unique(dir, "exchange");
    rep = RepSocket.listen(path);
  }

  @AfterEach
  void closeAndCheckThreads() {
    rep.close();
    SpTests.assertNoThreadsOf(path);
  }

  @Test
  void exchangeAnswersAPendingHandshakeDirectly() throws Exception {
    try (ReqSocket plugin = ReqSocket.dial(path, WAIT)) {
      plugin.send(bytes("handshake"));
      assertEquals("handshake", text(rep.receive(WAIT)));
      CompletableFuture<byte[]> answer = exchangeAsync("cmd");

      assertEquals("cmd", text(plugin.receive(WAIT)));
      plugin.send(bytes("ok"));

      assertEquals("ok", text(answer.get(20, TimeUnit.SECONDS)));
    }
  }

  @Test
  void exchangeDiscardsOneMessageAfterAProtocolStateError() throws Exception {
    try (ReqSocket plugin = ReqSocket.dial(path, WAIT)) {
      plugin.send(bytes("an old answer"));
      CompletableFuture<byte[]> answer = exchangeAsync("cmd");

      assertEquals("cmd", text(plugin.receive(WAIT)));
      plugin.send(bytes("fine"));

      assertEquals("fine", text(answer.get(20, TimeUnit.SECONDS)));
    }
  }

  @Test
  void exchangeResendsAfterEveryPiledUpKeepalive() throws Exception {
    try (ReqSocket plugin = ReqSocket.dial(path, WAIT)) {
      for (int i = 0; i < 3; i++) {
        plugin.send(bytes("handshake"));
      }
      CompletableFuture<byte[]> answer = exchangeAsync("cmd");

      assertEquals("cmd", text(plugin.receive(WAIT)));
      plugin.send(bytes("ok"));

      assertEquals("ok", text(answer.get(20, TimeUnit.SECONDS)));
    }
  }

  @Test
  void exchangeReturnsAnEmptyAnswer() throws Exception {
    try (ReqSocket plugin = ReqSocket.dial(path, WAIT)) {
      plugin.send(bytes("handshake"));
      rep.receive(WAIT);
      CompletableFuture<byte[]> answer = exchangeAsync("cmd");
      plugin.receive(WAIT);

      plugin.send(new byte[0]);

      assertArrayEquals(new byte[0], answer.get(20, TimeUnit.SECONDS));
    }
  }

  @Test
  void exchangeTimesOutWithoutAPlugin() {
    assertThrows(SpTimeoutException.class, () -> rep.exchange(bytes("cmd"), QUIET));
  }

  private CompletableFuture<byte[]> exchangeAsync(String payload) {
    return CompletableFuture.supplyAsync(() -> unchecked(() -> rep.exchange(bytes(payload), WAIT)));
  }
}
