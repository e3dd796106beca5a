package dev.kpm.portable.sp;

import static dev.kpm.portable.sp.SpTests.WAIT;
import static dev.kpm.portable.sp.SpTests.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every thread is a named daemon, and close leaves none behind. */
class SpThreadsTest {
  @TempDir Path dir;

  @Test
  void threadsAreNamedDaemonsAndCloseStopsThemAll() throws IOException {
    Path control = SpTests.unique(dir, "plugin_x");
    Path source = SpTests.unique(dir, "r_src_0");
    RepSocket rep = RepSocket.listen(control);
    ReqSocket req = ReqSocket.dial(control, WAIT);
    ReqSocket second = ReqSocket.dial(control, WAIT);
    PullSocket pull = PullSocket.listen(source);
    PushSocket push = PushSocket.dial(source, WAIT);
    req.send(bytes("handshake"));
    rep.receive(WAIT);
    push.send(bytes("tuple"), WAIT);
    pull.receive(WAIT);

    String file = control.getFileName().toString();
    assertEquals(
        List.of("accept", "pipe-1", "pipe-2"),
        names(control).stream()
            .filter(name -> name.startsWith("kpm-sp-rep-" + file + "-"))
            .map(name -> name.substring(("kpm-sp-rep-" + file + "-").length()))
            .sorted()
            .toList());
    assertTrue(
        names(control).contains("kpm-sp-req-" + file + "-pipe-1"), names(control).toString());
    assertTrue(
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("kpm-sp-"))
            .allMatch(Thread::isDaemon));

    for (AutoCloseable socket : new AutoCloseable[] {req, second, rep, push, pull}) {
      close(socket);
      close(socket);
    }

    SpTests.assertNoThreadsOf(control);
    SpTests.assertNoThreadsOf(source);
  }

  private static List<String> names(Path socket) {
    return SpTests.threadsOf(socket);
  }

  private static void close(AutoCloseable socket) {
    try {
      socket.close();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
