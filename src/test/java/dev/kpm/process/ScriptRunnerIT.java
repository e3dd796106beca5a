package dev.kpm.process;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kpm.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Runs the behaviour-named fixtures of {@code src/test/resources/scripts/} from a temp folder.
 * Timings are upper bounds generous enough for a loaded two-core machine.
 */
@Timeout(120)
class ScriptRunnerIT {
  private static final Duration PLENTY = Duration.ofSeconds(60);
  private static final Duration PROMPTLY = Duration.ofSeconds(15);
  private static final int TAIL = 64 * 1024;

  @TempDir Path dir;

  private final List<String> logged = new CopyOnWriteArrayList<>();
  private final Set<String> loggingThreads = new CopyOnWriteArraySet<>();
  private Logger log;

  @BeforeEach
  void captureLog() {
    log = Logger.getLogger("kpm.test.script." + UUID.randomUUID());
    log.setUseParentHandlers(false);
    log.addHandler(
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            logged.add(record.getLevel() + " " + record.getMessage());
            Thread current = Thread.currentThread();
            loggingThreads.add(current.getName() + (current.isDaemon() ? " daemon" : ""));
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        });
  }

  @Test
  void passesEachArgumentVerbatimAsArgvWithoutAShell() throws Exception {
    List<String> args =
        List.of(
            "two words",
            "it's \"quoted\"",
            "$(touch pwned)",
            "`touch pwned`",
            "a;b",
            "*",
            "",
            "line\nbreak",
            "$HOME");

    ScriptResult result = run("records-argv", args);

    assertTrue(result.succeeded(), result::toString);
    assertEquals(Integer.toString(args.size()), read("argc"));
    for (int i = 0; i < args.size(); i++) {
      assertEquals(args.get(i), read("arg" + (i + 1)), "argument " + (i + 1));
    }
    assertFalse(Files.exists(dir.resolve("pwned")), "an argument was run as a command");
  }

  @Test
  void givesTheScriptItsAbsolutePathAsDollarZero() throws Exception {
    Path script = fixture("records-script-path");

    ScriptRunner.run(script, List.of(), dir, PLENTY, TAIL, log, Children.none());

    assertEquals(script.toAbsolutePath().toString(), read("dollar-zero"));
  }

  @Test
  void runsInTheGivenWorkingDirectoryWithPwdSetToIt() throws Exception {
    Path work = Files.createDirectory(dir.resolve("work dir"));

    ScriptRunner.run(
        fixture("records-working-directory"), List.of(), work, PLENTY, TAIL, log, Children.none());

    assertEquals(work.toRealPath() + "\n", Files.readString(work.resolve("physical")));
    assertEquals(work.toAbsolutePath().toString(), Files.readString(work.resolve("logical")));
  }

  @Test
  void inheritsKpmsEnvironment() throws Exception {
    run("records-path-variable", List.of());

    assertEquals(System.getenv("PATH"), read("path"));
  }

  @Test
  void reportsANonZeroExitStatusInEkuipersWords() throws Exception {
    ScriptResult result = run("exits-with-status", List.of("3"));

    assertEquals(3, result.exitCode());
    assertFalse(result.succeeded());
    assertFalse(result.timedOut());
    assertEquals("exit status 3", result.failure());
  }

  @Test
  void exitStatusZeroSucceedsAndHasNoFailureText() throws Exception {
    ScriptResult result = run("exits-with-status", List.of("0"));

    assertEquals(0, result.exitCode());
    assertTrue(result.succeeded());
    assertThrows(IllegalStateException.class, result::failure);
  }

  @Test
  void capturesStdoutAndStderrSeparately() throws Exception {
    ScriptResult result = run("writes-stdout-and-stderr", List.of());

    assertEquals("to stdout\n", result.stdoutTail());
    assertEquals("to stderr\n", result.stderrTail());
  }

  @Test
  void logsEveryLineAtInfoFromNamedDaemonReaderThreads() throws Exception {
    run("writes-stdout-and-stderr", List.of());

    assertTrue(
        logged.contains("INFO writes-stdout-and-stderr.sh stdout: to stdout"), logged::toString);
    assertTrue(
        logged.contains("INFO writes-stdout-and-stderr.sh stderr: to stderr"), logged::toString);
    assertEquals(2, loggingThreads.size(), loggingThreads::toString);
    for (String thread : loggingThreads) {
      assertTrue(thread.startsWith("kpm-output-") && thread.endsWith(" daemon"), thread);
    }
  }

  @Test
  void logsAVeryLongLineInBoundedPieces() throws Exception {
    run("prints-long-line", List.of());

    String prefix = "INFO prints-long-line.sh stdout: ";
    List<Integer> pieces =
        logged.stream()
            .map(l -> l.substring(prefix.length()).length())
            .collect(Collectors.toList());
    assertEquals(List.of(8192, 8192, 20000 - 2 * 8192), pieces);
  }

  @Test
  void keepsOnlyTheLastTailBytesOfLongOutput() throws Exception {
    ScriptResult result =
        ScriptRunner.run(
            fixture("prints-100-kib"), List.of(), dir, PLENTY, 1024, log, Children.none());

    assertTrue(result.succeeded(), result::toString);
    assertEquals(1024, result.stdoutTail().getBytes(UTF_8).length);
    assertTrue(
        result
            .stdoutTail()
            .endsWith(
                "out line 1999 .........................................\n" + "last stdout line\n"),
        result.stdoutTail());
    assertTrue(result.stderrTail().endsWith("last stderr line\n"), result.stderrTail());
    assertFalse(result.stdoutTail().contains("err line"));
    assertFalse(result.stderrTail().contains("out line"));
    assertEquals(4002, logged.size(), "every line logged");
  }

  @Test
  void dropsAMultiByteCharacterCutAtTheStartOfTheTail() throws Exception {
    ScriptResult result =
        ScriptRunner.run(
            fixture("prints-euro-signs"), List.of(), dir, PLENTY, 4, log, Children.none());

    assertEquals("€", result.stdoutTail());
  }

  @Test
  void tailKeepsExactlyTheLastBytesOverManyAppendsOfAnySize() {
    Random random = new Random(42);
    for (int capacity : new int[] {0, 1, 7, 100}) {
      Tail tail = new Tail(capacity);
      StringBuilder all = new StringBuilder();
      for (int i = 0; i < 500; i++) {
        byte[] chunk = new byte[random.nextInt(3 * capacity + 2)];
        Arrays.fill(chunk, (byte) ('a' + i % 26));
        tail.append(chunk, 0, chunk.length);
        all.append(new String(chunk, UTF_8));
        assertEquals(all.substring(Math.max(0, all.length() - capacity)), tail.text());
      }
    }
  }

  @Test
  void timeoutKillsTheShellAndBothBackgroundChildren() throws Exception {
    long started = System.nanoTime();
    ScriptResult result =
        ScriptRunner.run(
            fixture("waits-for-two-background-sleeps"),
            List.of(),
            dir,
            Duration.ofSeconds(2),
            TAIL,
            log,
            Children.none());

    assertReturnedPromptly(started);
    assertTrue(result.timedOut());
    assertEquals(-1, result.exitCode());
    assertFalse(result.succeeded());
    assertEquals(
        "install.sh did not finish within 2s; its process tree was killed", result.failure());
    assertAllGone(pids());
  }

  @Test
  void timeoutKillsAScriptThatIgnoresSigterm() throws Exception {
    long started = System.nanoTime();
    ScriptResult result =
        ScriptRunner.run(
            fixture("ignores-sigterm"),
            List.of(),
            dir,
            Duration.ofSeconds(2),
            TAIL,
            log,
            Children.none());

    assertReturnedPromptly(started);
    assertTrue(result.timedOut());
    assertAllGone(pids());
  }

  @Test
  void returnsPromptlyWhenABackgroundChildKeepsStdoutOpenAndKillsThatChild() throws Exception {
    long started = System.nanoTime();
    ScriptResult result = run("leaves-child-holding-stdout", List.of());

    assertReturnedPromptly(started);
    assertTrue(result.succeeded(), result::toString);
    assertEquals("script done\n", result.stdoutTail());
    long[] pids = pids();
    assertAllGone(pids);
    assertTrue(readerThreadsOf(pids[0]).isEmpty(), "reader threads still running");
  }

  @Test
  void killsADetachedDaemonTheScriptLeftBehind() throws Exception {
    ScriptResult result = run("starts-detached-daemon", List.of());

    assertTrue(result.succeeded(), result::toString);
    assertAllGone(pids());
    assertTrue(
        logged.stream()
            .anyMatch(l -> l.startsWith("WARNING ") && l.contains("left processes running")),
        logged::toString);
  }

  @Test
  void stdinIsAtEndOfFileSoReadingItEndsAtOnce() throws Exception {
    long started = System.nanoTime();
    ScriptResult result =
        ScriptRunner.run(
            fixture("reads-stdin"), List.of(), dir, PROMPTLY, TAIL, log, Children.none());

    assertFalse(result.timedOut(), "cat waited for input");
    assertReturnedPromptly(started);
    assertEquals("stdin ended\n", result.stdoutTail());
  }

  @Test
  void interruptingTheCallerKillsTheTreeAndRethrows() throws Exception {
    Path script = fixture("waits-for-two-background-sleeps");
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                ScriptRunner.run(script, List.of(), dir, PLENTY, TAIL, log, Children.none());
              } catch (Throwable t) {
                thrown.set(t);
              }
            },
            "test-script-caller");
    caller.start();
    long[] pids = awaitPids();
    caller.interrupt();
    caller.join(PROMPTLY.toMillis());

    assertFalse(caller.isAlive(), "run() did not return after the interrupt");
    assertTrue(thrown.get() instanceof InterruptedException, String.valueOf(thrown.get()));
    assertAllGone(pids);
  }

  @Test
  void collectsTheTreeDeepestFirstWithTheShellLast() throws Exception {
    String runId = UUID.randomUUID().toString();
    ProcessBuilder builder =
        new ProcessBuilder("/bin/sh", fixture("starts-nested-children").toString())
            .directory(dir.toFile());
    builder.environment().put(ProcessTree.MARKER, runId);
    Process shell = builder.start();
    ProcessTree tree = new ProcessTree(shell, runId);
    try {
      long middle = awaitPids()[1];
      ProcessHandle sleep = awaitChild(middle);

      List<Long> order =
          tree.members().stream().map(ProcessHandle::pid).collect(Collectors.toList());

      assertEquals(List.of(sleep.pid(), middle, shell.pid()), order);
    } finally {
      tree.kill(ScriptRunner.GRACE);
    }
    // The JVM reaps the killed shell on its own thread: wait for that, bounded.
    assertTrue(shell.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "shell survived the kill");
  }

  @Test
  void aMissingWorkingDirectoryFailsToStart() throws Exception {
    Path script = fixture("exits-with-status");

    assertThrows(
        IOException.class,
        () ->
            ScriptRunner.run(
                script, List.of("0"), dir.resolve("absent"), PLENTY, TAIL, log, Children.none()));
  }

  @Test
  void refusesANonPositiveTimeoutAndANegativeTail() throws Exception {
    Path script = fixture("exits-with-status");

    assertThrows(
        IllegalArgumentException.class,
        () -> ScriptRunner.run(script, List.of(), dir, Duration.ZERO, TAIL, log, Children.none()));
    assertThrows(
        IllegalArgumentException.class,
        () -> ScriptRunner.run(script, List.of(), dir, PLENTY, -1, log, Children.none()));
  }

  @ParameterizedTest
  @CsvSource({"PT5M, 5m0s", "PT1M30S, 1m30s", "PT1.5S, 1.5s", "PT0.25S, 250ms", "PT2H, 2h0m0s"})
  void timeoutFailureNamesTheTimeoutInGoNotation(Duration timeout, String written) {
    ScriptResult result = new ScriptResult(-1, "", "", timeout.plusSeconds(2), true, timeout);

    assertEquals(
        "install.sh did not finish within " + written + "; its process tree was killed",
        result.failure());
  }

  private ScriptResult run(String behaviour, List<String> args)
      throws IOException, InterruptedException {
    return ScriptRunner.run(fixture(behaviour), args, dir, PLENTY, TAIL, log, Children.none());
  }

  private Path fixture(String behaviour) throws IOException {
    Path script = dir.resolve(behaviour + ".sh");
    try (InputStream in = getClass().getResourceAsStream("/scripts/" + behaviour + ".sh")) {
      if (in == null) {
        fail("missing fixture src/test/resources/scripts/" + behaviour + ".sh");
      }
      Files.copy(in, script);
    }
    return script;
  }

  private String read(String file) throws IOException {
    return Files.readString(dir.resolve(file));
  }

  /** The pids the fixture recorded in {@code pids}; the file must exist. */
  private long[] pids() throws IOException {
    Path file = dir.resolve("pids");
    assertTrue(Files.exists(file), "the script did not record its pids before it ended");
    return Arrays.stream(Files.readString(file).trim().split(" "))
        .mapToLong(Long::parseLong)
        .toArray();
  }

  private long[] awaitPids() throws IOException {
    Await.until("the script records its pids", PROMPTLY, () -> Files.exists(dir.resolve("pids")));
    return pids();
  }

  private static ProcessHandle awaitChild(long pid) {
    return Await.value(
        "process " + pid + " starts a child",
        PROMPTLY,
        () ->
            ProcessHandle.of(pid).stream()
                .flatMap(ProcessHandle::children)
                .findFirst()
                .orElse(null));
  }

  private static void assertReturnedPromptly(long startedNanos) {
    Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
    assertTrue(took.compareTo(PROMPTLY) < 0, "took " + took);
  }

  /** Waits (bounded) until no pid names a live process; zombies count as gone. */
  private static void assertAllGone(long[] pids) {
    Await.until(
        () -> "all gone, still running: " + alive(pids), PROMPTLY, () -> alive(pids).isEmpty());
  }

  private static List<Long> alive(long[] pids) {
    return Arrays.stream(pids)
        .filter(pid -> ProcessHandle.of(pid).map(ProcessTree::running).orElse(false))
        .boxed()
        .collect(Collectors.toList());
  }

  private static List<String> readerThreadsOf(long shellPid) {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(name -> name.startsWith("kpm-output-" + shellPid + "-"))
        .collect(Collectors.toList());
  }
}
