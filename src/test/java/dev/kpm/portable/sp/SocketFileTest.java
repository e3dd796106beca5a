package dev.kpm.portable.sp;

import static dev.kpm.portable.sp.SpTests.WAIT;
import static dev.kpm.portable.sp.SpTests.bytes;
import static dev.kpm.portable.sp.SpTests.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unix-socket housekeeping of docs/portable-protocol.md §2.2: stale files, live listeners, unlink,
 * length. The file a killed process leaves is {@link SocketFileIT}'s (it starts a process).
 */
class SocketFileTest {
  @TempDir Path dir;

  @Test
  void aStaleSocketFileFromADeadListenerIsReclaimed() throws IOException {
    Path path = SpTests.unique(dir, "stale");
    ServerSocketChannel.open(StandardProtocolFamily.UNIX)
        .bind(UnixDomainSocketAddress.of(path))
        .close(); // Java leaves the file behind, like a killed process does
    assertTrue(Files.exists(path));

    try (RepSocket rep = RepSocket.listen(path);
        ReqSocket req = ReqSocket.dial(path, WAIT)) {
      req.send(bytes("still works"));
      assertEquals("still works", text(rep.receive(WAIT)));
    }
  }

  @Test
  void aLiveListenerIsAddressInUseAndKeepsItsFile() throws IOException {
    Path path = SpTests.unique(dir, "live");
    try (RepSocket first = RepSocket.listen(path)) {
      IOException e = assertThrows(IOException.class, () -> RepSocket.listen(path));

      assertEquals("address in use: a listener is alive on " + path, e.getMessage());
      assertTrue(Files.exists(path));
      try (ReqSocket req = ReqSocket.dial(path, WAIT)) {
        req.send(bytes("first still serves"));
        assertEquals("first still serves", text(first.receive(WAIT)));
      }
    }
  }

  @Test
  void closeUnlinksTheSocketFile() throws IOException {
    Path rep = SpTests.unique(dir, "rep");
    Path pull = SpTests.unique(dir, "pull");

    RepSocket.listen(rep).close();
    PullSocket.listen(pull).close();

    assertFalse(Files.exists(rep));
    assertFalse(Files.exists(pull));
  }

  @Test
  void closeLeavesAFileThatIsNoLongerOurs() throws IOException {
    Path path = SpTests.unique(dir, "replaced");
    RepSocket rep = RepSocket.listen(path);
    Files.delete(path);
    Files.writeString(path, "someone else's");

    rep.close();

    assertEquals("someone else's", Files.readString(path));
  }

  @Test
  void aFileThatIsNotASocketIsNotReplaced() throws IOException {
    Path path = SpTests.unique(dir, "regular");
    Files.writeString(path, "data");

    IOException e = assertThrows(IOException.class, () -> RepSocket.listen(path));

    assertEquals("cannot listen on " + path + ": it exists and is not a socket", e.getMessage());
    assertEquals("data", Files.readString(path));
  }

  @Test
  void pathsOver107BytesAreRefusedClearly() {
    Path path = dir.resolve("x".repeat(108 - dir.toString().length() - 1));
    assertEquals(108, path.toString().length());

    IOException rep = assertThrows(IOException.class, () -> RepSocket.listen(path));
    IOException push = assertThrows(IOException.class, () -> PushSocket.dial(path, WAIT));

    assertTrue(rep.getMessage().startsWith("socket path is 108 bytes long"), rep.getMessage());
    assertTrue(push.getMessage().startsWith("socket path is 108 bytes long"), push.getMessage());
  }
}
