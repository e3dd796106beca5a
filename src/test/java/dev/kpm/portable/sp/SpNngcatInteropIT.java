package dev.kpm.portable.sp;

import static dev.kpm.portable.sp.SpTests.WAIT;
import static dev.kpm.portable.sp.SpTests.bytes;
import static dev.kpm.portable.sp.SpTests.text;
import static dev.kpm.portable.sp.SpTests.unchecked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every pattern, both directions, against libnng 1.5.2 through nngcat (docs/portable-protocol.md
 * §5).
 */
class SpNngcatInteropIT {
  static final Duration EXIT = Duration.ofSeconds(20);
  private static String nngcat;

  @TempDir Path dir;
  private Path path;
  private final List<Child> children = new ArrayList<>();

  @BeforeAll
  static void findNngcat() {
    nngcat = onPath("nngcat");
  }

  @BeforeEach
  void name() {
    path = SpTests.unique(dir, "nng");
  }

  @AfterEach
  void killChildren() throws InterruptedException {
    for (Child child : children) {
      child.close();
    }
    SpTests.assertNoThreadsOf(path);
  }

  @Test
  void javaRepAnswersNngcatReq() throws Exception {
    try (RepSocket rep = RepSocket.listen(path)) {
      Child req = nngcat("--req", "--dial", url(), "--data", "handshake", "--quoted");

      assertEquals("handshake", text(rep.receive(WAIT)));
      rep.send(bytes("{\"cmd\":\"start\"}"));

      assertEquals(0, req.exitStatus(EXIT), req.output());
      assertEquals("\"{\\\"cmd\\\":\\\"start\\\"}\"", req.output());
    }
  }

  @Test
  void javaRepExchangeResendsToEachHandshakingNngcatUntilAnAnswer() throws Exception {
    try (RepSocket rep = RepSocket.listen(path)) {
      CompletableFuture<byte[]> answer =
          CompletableFuture.supplyAsync(
              () -> unchecked(() -> rep.exchange(bytes("command"), EXIT)));
      for (int i = 0; i < 2; i++) {
        Child keepalive = nngcat("--req", "--dial", url(), "--data", "handshake", "--quoted");
        assertEquals(0, keepalive.exitStatus(EXIT), keepalive.output());
        assertEquals("\"command\"", keepalive.output());
      }

      nngcat("--req", "--dial", url(), "--data", "ok", "--quoted");

      assertEquals("ok", text(answer.get(EXIT.toSeconds(), TimeUnit.SECONDS)));
    }
  }

  @Test
  void javaReqGetsNngcatRepReplies() throws Exception {
    Child rep = nngcat("--rep", "--listen", url(), "--data", "world", "--quoted");
    try (ReqSocket req = ReqSocket.dial(path, WAIT)) {
      for (int i = 0; i < 3; i++) {
        assertEquals("world", text(req.request(bytes("hello " + i), WAIT)));
      }
    }
    for (int i = 0; i < 3; i++) {
      String line = "\"hello " + i + "\"";
      rep.awaitLine(line::equals, WAIT);
    }
  }

  @Test
  void javaPullReceivesFromNngcatPush() throws Exception {
    String tuple = "{\"message\":{\"a\":1},\"meta\":null}";
    try (PullSocket pull = PullSocket.listen(path)) {
      Child push =
          nngcat("--push", "--dial", url(), "--data", tuple, "--count", "3", "--interval", "1");

      for (int i = 0; i < 3; i++) {
        assertEquals(tuple, text(pull.receive(WAIT)));
      }
      assertEquals(0, push.exitStatus(EXIT), push.output());
    }
  }

  @Test
  void javaPushFeedsNngcatPull() throws Exception {
    Child pull = nngcat("--pull", "--listen", url(), "--quoted");
    try (PushSocket push = PushSocket.dial(path, WAIT)) {
      for (int i = 0; i < 3; i++) {
        push.send(bytes("{\"i\":" + i + "}"), WAIT);
      }
    }
    for (int i = 0; i < 3; i++) {
      String line = "\"{\\\"i\\\":" + i + "}\"";
      pull.awaitLine(line::equals, WAIT);
    }
    assertEquals(3, pull.count(line -> line.startsWith("\"{")), pull.output());
  }

  private Child nngcat(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(nngcat));
    command.addAll(List.of(args));
    Child child = Child.start(command, Map.of(), null);
    children.add(child);
    return child;
  }

  private String url() {
    return "ipc://" + path;
  }

  static String onPath(String program) {
    return onPath(program, "nng-utils");
  }

  /** The executable's absolute path; fails the test with what to install when it is missing. */
  static String onPath(String program, String packages) {
    for (String folder : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(folder, program);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return fail(program + " is not on the PATH: install it with apt-get install -y " + packages);
  }
}
