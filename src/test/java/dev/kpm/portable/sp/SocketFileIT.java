package dev.kpm.portable.sp;

import static dev.kpm.portable.sp.SpTests.WAIT;
import static dev.kpm.portable.sp.SpTests.bytes;
import static dev.kpm.portable.sp.SpTests.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unix-socket housekeeping of docs/portable-protocol.md §2.2 that needs another process: the socket
 * file a killed listener leaves behind (a Python listener, so {@code python3} must be installed).
 */
class SocketFileIT {
  @TempDir Path dir;

  @Test
  void theSocketFileOfAKilledProcessIsReclaimed() throws Exception {
    Path path = SpTests.unique(dir, "killed");
    Process python =
        new ProcessBuilder(
                "python3",
                "-c",
                // Listens until killed (or until its stdin, our pipe, closes with this JVM).
                "import socket,sys\n"
                    + "s=socket.socket(socket.AF_UNIX)\n"
                    + "s.bind(sys.argv[1]); s.listen(1); print('up', flush=True); sys.stdin.read()",
                path.toString())
            .redirectErrorStream(true)
            .start();
    try {
      assertEquals('u', python.getInputStream().read(), "python listener did not start");
      assertThrows(IOException.class, () -> PullSocket.listen(path), "live listener");
      python.destroyForcibly();
      assertTrue(python.waitFor(20, TimeUnit.SECONDS));

      try (PullSocket pull = PullSocket.listen(path);
          PushSocket push = PushSocket.dial(path, WAIT)) {
        push.send(bytes("reclaimed"), WAIT);
        assertEquals("reclaimed", text(pull.receive(WAIT)));
      }
    } finally {
      python.destroyForcibly();
    }
  }
}
