package dev.kpm.portable.sp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Shared by the socket tests: timeouts, text helpers, unique socket paths, the thread-leak check.
 */
final class SpTests {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final Duration QUIET = Duration.ofMillis(300);

  private SpTests() {}

  interface IoCall<T> {
    T call() throws IOException;
  }

  /** For lambdas that must not throw checked exceptions, e.g. in CompletableFuture.supplyAsync. */
  static <T> T unchecked(IoCall<T> call) {
    try {
      return call.call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

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
