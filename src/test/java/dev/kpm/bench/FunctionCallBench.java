package dev.kpm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.portable.sp.RepSocket;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The Java side of {@code bench/calls.sh}: the function-call round trip between kpm's pure-Java SP
 * sockets and the libnng portable probe. A benchmark, not a test (a main class; surefire does not
 * run it). It does exactly what {@code bench/c/host_bench.c} does on libnng, see
 * docs/portable-protocol.md §3:
 *
 * <ol>
 *   <li>listen REP on {@code /tmp/plugin_<name>.ipc}, start {@code <probe> {"sendTimeout":1000}}
 *       with {@code PROBE_NAME=<name>}, receive its handshake;
 *   <li>listen REP on {@code /tmp/func_echo.ipc}, send the start command of function {@code echo}
 *       with {@link RepSocket#exchange} and expect {@code ok};
 *   <li>receive the function channel's handshake, then time {@code warmup + n} Exec calls, each one
 *       {@link RepSocket#exchange} (the §3.4 loop), checking the first reply as JSON;
 *   <li>print {@code java p50_us=… p99_us=… calls_per_s=… n=…}, kill the probe, close both sockets.
 * </ol>
 *
 * <p>Usage: {@code FunctionCallBench <probe> <name> <warmup> <n>}. The probe's output is discarded.
 */
public final class FunctionCallBench {
  private static final Path DIR = Path.of("/tmp");
  private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration FUNCTION_TIMEOUT = Duration.ofSeconds(5);
  private static final byte[] START =
      bytes(
          "{\"cmd\":\"start\",\"arg\":\"{\\\"symbolName\\\":\\\"echo\\\",\\\"meta\\\":{"
              + "\\\"ruleId\\\":\\\"\\\",\\\"opId\\\":\\\"\\\",\\\"instanceId\\\":0},"
              + "\\\"pluginType\\\":\\\"func\\\"}\"}");
  private static final byte[] EXEC =
      bytes(
          "{\"func\":\"Exec\",\"arg\":[\"abc\",\"{\\\"ruleId\\\":\\\"r1\\\",\\\"opId\\\":"
              + "\\\"op1\\\",\\\"instanceId\\\":0,\\\"funcId\\\":0}\"]}");

  private FunctionCallBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: FunctionCallBench <probe> <name> <warmup> <n>");
      System.exit(2);
    }
    String probe = args[0];
    String name = args[1];
    int warmup = Integer.parseInt(args[2]);
    int n = Integer.parseInt(args[3]);
    if (warmup < 0 || n < 1) {
      throw new IllegalArgumentException("warmup must be >= 0 and n >= 1");
    }
    RepSocket control = RepSocket.listen(DIR.resolve("plugin_" + name + ".ipc"));
    RepSocket function = null;
    Process process = null;
    try {
      process = start(probe, name);
      control.receive(CONTROL_TIMEOUT);
      function = RepSocket.listen(DIR.resolve("func_echo.ipc"));
      String answer = text(control.exchange(START, CONTROL_TIMEOUT));
      if (!answer.equals("ok")) {
        throw new IllegalStateException("start command answered: " + answer);
      }
      function.receive(FUNCTION_TIMEOUT);
      System.out.println(run(function, warmup, n));
    } finally {
      if (process != null) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
      if (function != null) {
        function.close();
      }
      control.close();
    }
  }

  private static String run(RepSocket function, int warmup, int n) throws IOException {
    long[] rtt = new long[n];
    long begin = 0;
    for (int i = -warmup; i < n; i++) {
      if (i == 0) {
        begin = System.nanoTime();
      }
      long t0 = System.nanoTime();
      byte[] reply = function.exchange(EXEC, FUNCTION_TIMEOUT);
      long t1 = System.nanoTime();
      if (i == -warmup) {
        check(reply);
      }
      if (i >= 0) {
        rtt[i] = t1 - t0;
      }
    }
    double seconds = (System.nanoTime() - begin) / 1e9;
    Arrays.sort(rtt);
    return String.format(
        Locale.ROOT,
        "java p50_us=%.1f p99_us=%.1f calls_per_s=%.0f n=%d",
        percentileMicros(rtt, 50),
        percentileMicros(rtt, 99),
        n / seconds,
        n);
  }

  /** A FuncReply is JSON (docs/portable-protocol.md §3.5): parse it, never compare bytes. */
  private static void check(byte[] reply) throws IOException {
    JsonNode json = new ObjectMapper().readTree(reply);
    if (!json.path("state").asBoolean(false) || !"abc".equals(json.path("result").asText(null))) {
      throw new IllegalStateException("unexpected Exec reply: " + text(reply));
    }
  }

  /** Nearest rank, as in host_bench.c: the smallest sample with percent% at or below it. */
  private static double percentileMicros(long[] sorted, int percent) {
    long rank = ((long) percent * sorted.length + 99) / 100;
    return sorted[(int) Math.max(0, rank - 1)] / 1000.0;
  }

  private static Process start(String probe, String name) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(probe, "{\"sendTimeout\":1000}")
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put("PROBE_NAME", name);
    return builder.start();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
