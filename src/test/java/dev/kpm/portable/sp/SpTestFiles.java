package dev.kpm.portable.sp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Unique socket paths and the thread-leak check shared by the socket tests. */
final class SpTestFiles {
  private SpTestFiles() {}

  /** {@code <dir>/<stem>-<random>.ipc}: unique, so thread names identify one test's socket. */
  static Path unique(Path dir, String stem) {
    return dir.resolve(
        stem + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".ipc");
  }

  /** Live threads of this package whose name mentions the socket file. */
  static List<String> threadsOf(Path socket) {
    String file = socket.getFileName().toString();
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith("kpm-sp-") && name.contains(file))
        .toList();
  }

  static void assertNoThreadsOf(Path socket) {
    assertEquals(List.of(), threadsOf(socket), "threads left behind for " + socket);
  }
}
