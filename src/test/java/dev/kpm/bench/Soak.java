package dev.kpm.bench;

import dev.kpm.testing.Await;
import dev.kpm.testing.LauncherProcess;
import dev.kpm.testing.ProbePlugins;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToLongFunction;

/**
 * The soak and kill rounds of {@code bench/soak.sh} (reliability), against the launcher jar in a
 * JVM of its own. A benchmark, not a test: a main class, which surefire does not run. Two parts:
 *
 * <ul>
 *   <li><b>soak</b>: one launcher; after a warm-up of {@value #WARMUP} cycles, {@code CYCLES}
 *       create/drop cycles of one portable plugin ({@value #PLUGIN}, the libnng probe), then {@code
 *       REFUSED} creates kpm must refuse with 400. The launcher JVM is sampled ({@link
 *       LauncherSample}) at the start, after the cycles and after the refusals; each figure passes
 *       when its end value is within a small tolerance of its start value.
 *   <li><b>kills</b>: {@link KillRounds}, {@code KILLS} rounds of SIGKILL in the middle of
 *       concurrent plugin changes, with kpm's invariants checked after every restart.
 * </ul>
 *
 * <p>Usage: {@code Soak <all|soak|kills> <work folder> <rows file>}: each part empties its folder
 * below the work folder ({@code cycles/}, {@code kills/}) first, and appends its rows to the rows
 * file as soon as it ends, one {@link Row#line()} per line, for {@code bench/run.sh}'s combined
 * table. Progress goes to stderr; the machine, the load and a Markdown table of every row to
 * stdout. The system property {@code kpm.it.launcher} names the launcher jar. Environment: {@code
 * CYCLES} (default 1000), {@code REFUSED} (1000), {@code KILLS} (100), {@code SEED} (the kill
 * rounds' random choices; default: the clock, printed), {@code SCRIPT_MAX_MS} (the longest sleep of
 * the kill rounds' install.sh scripts, 2000), {@code KPM_JAVA_OPTS} (options for kpm's JVM).
 */
public final class Soak {
  static final String PLUGIN = "soakprobe";
  private static final int WARMUP = 20;
  private static final long HEAP_SLACK_KB = 8 * 1024;
  private static final AtomicReference<LauncherProcess> RUNNING = new AtomicReference<>();

  private Soak() {}

  /** One row of the table: {@code id|figure|kpm|baseline|ratio|target|result}. */
  record Row(
      String id,
      String figure,
      String kpm,
      String baseline,
      String ratio,
      String target,
      String result) {
    static Row verdict(String id, String figure, String kpm, String target, boolean pass) {
      return new Row(id, figure, kpm, "—", "—", target, pass ? "PASS" : "MISS");
    }

    static Row info(String id, String figure, String kpm) {
      return new Row(id, figure, kpm, "—", "—", "—", "—");
    }

    String line() {
      return String.join("|", id, figure, kpm, baseline, ratio, target, result);
    }

    String markdown() {
      return "| " + String.join(" | ", id, figure, kpm, baseline, ratio, target, result) + " |";
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 3 || !List.of("all", "soak", "kills").contains(args[0])) {
      System.err.println("usage: Soak <all|soak|kills> <work folder> <rows file>");
      System.exit(2);
    }
    String part = args[0];
    Path work = Path.of(args[1]).toAbsolutePath();
    Path rowsFile = Path.of(args[2]).toAbsolutePath();
    Files.createDirectories(work);
    Files.createDirectories(rowsFile.getParent());
    Files.deleteIfExists(rowsFile);
    Runtime.getRuntime().addShutdownHook(new Thread(Soak::stopRunning, "stop-kpm"));
    String load = BenchHost.loadAverage();
    List<Row> rows = new ArrayList<>();
    if (!part.equals("kills")) {
      record(rows, soak(work.resolve("cycles")), rowsFile);
    }
    if (!part.equals("soak")) {
      long seed = env("SEED", System.currentTimeMillis());
      record(
          rows,
          new KillRounds(work.resolve("kills"), seed, (int) env("SCRIPT_MAX_MS", 2000))
              .run((int) env("KILLS", 100)),
          rowsFile);
    }
    System.out.println();
    System.out.println("machine: " + BenchHost.machine(work));
    System.out.println(
        "load average: " + load + " at start, " + BenchHost.loadAverage() + " at end");
    System.out.println();
    System.out.println("| # | figure | kpm | baseline (same run) | ratio | target | result |");
    System.out.println("| --- | --- | ---: | --- | ---: | --- | --- |");
    rows.forEach(r -> System.out.println(r.markdown()));
  }

  // ------------------------------------------------------------------------------------ soak

  private static List<Row> soak(Path dir) throws Exception {
    int cycles = (int) env("CYCLES", 1000);
    int refused = (int) env("REFUSED", 1000);
    KillRounds.stopOrphanDatabase(dir.resolve("home"));
    BenchHost.deleteTree(dir);
    Path zips = Files.createDirectories(dir.resolve("zips"));
    Files.createDirectories(dir.resolve("home"));
    String create = body(PLUGIN, ProbePlugins.zip(zips, PLUGIN, "v1.0.0"));
    Refusals refusals = new Refusals(zips);

    say("== soak: starting kpm (launcher jar, embedded PostgreSQL) in " + dir);
    LauncherProcess kpm = start(dir.resolve("home"), LauncherProcess.freePort(), "kpm.log");
    try {
      say("   warm-up: " + WARMUP + " create/drop cycles of portable " + PLUGIN);
      Cycles warm = cycles(kpm, create, WARMUP);
      if (warm.failures() > 0) {
        say(warm.describe());
      }
      LauncherSample start = sample(kpm, "at start");
      say("   " + cycles + " create/drop cycles of portable " + PLUGIN);
      Cycles run = cycles(kpm, create, cycles);
      say(run.describe());
      LauncherSample afterCycles = sample(kpm, "after the cycles");
      say("   " + refused + " refused creates: " + Refusals.KINDS);
      int refusedOk = refusals.run(kpm, refused);
      LauncherSample end = sample(kpm, "after the refused creates");
      return soakRows(cycles, refused, warm, run, refusedOk, start, afterCycles, end);
    } finally {
      say("   stopping kpm: exit status " + kpm.stop());
      forget(kpm);
    }
  }

  private static List<Row> soakRows(
      int cycles,
      int refused,
      Cycles warm,
      Cycles run,
      int refusedOk,
      LauncherSample start,
      LauncherSample afterCycles,
      LauncherSample end) {
    String after =
        String.format(
            Locale.ROOT,
            "after %d create/drop cycles of a portable plugin; after %d refused creates too",
            cycles,
            refused);
    List<Row> rows = new ArrayList<>();
    rows.add(
        figure(
            "threads of kpm's JVM, " + after,
            start,
            afterCycles,
            end,
            LauncherSample::threads,
            "± 5",
            (s, e) -> Math.abs(e - s) <= 5));
    rows.add(
        figure(
            "open file descriptors of kpm's JVM (but the webapp's jars), " + after,
            start,
            afterCycles,
            end,
            LauncherSample::fds,
            "± 10",
            (s, e) -> Math.abs(e - s) <= 10));
    rows.add(
        figure(
            "socket files /tmp/plugin_*.ipc and /tmp/*soak*.ipc, " + after,
            start,
            afterCycles,
            end,
            s -> s.sockets().size(),
            "+ 0",
            (s, e) -> e <= s));
    rows.add(
        figure(
            "child processes of kpm's JVM, " + after,
            start,
            afterCycles,
            end,
            LauncherSample::children,
            "+ 0",
            (s, e) -> e <= s));
    rows.add(heapRow("live heap of kpm's JVM after 2 full GCs, " + after, start, afterCycles, end));
    int failed = warm.failures() + run.failures();
    rows.add(
        Row.verdict(
            "soak",
            "create/drop cycles of portable "
                + PLUGIN
                + " answered 201 then 200 (warm-up included)",
            (WARMUP + cycles - failed) + " of " + (WARMUP + cycles),
            "all",
            failed == 0));
    rows.add(
        Row.verdict(
            "soak",
            "refused creates answered 400 (" + Refusals.KINDS + ")",
            refusedOk + " of " + refused,
            "all",
            refusedOk == refused));
    rows.add(
        Row.info(
            "soak",
            "create/drop cycles: wall time, requests per second, cycle time",
            String.format(
                Locale.ROOT,
                "%.1f s, %.1f requests/s, cycle median %.0f ms, p99 %.0f ms",
                run.seconds(),
                2 * cycles / run.seconds(),
                run.percentileMs(50),
                run.percentileMs(99))));
    return rows;
  }

  private interface Tolerance {
    boolean holds(long start, long end);
  }

  private static Row figure(
      String figure,
      LauncherSample start,
      LauncherSample afterCycles,
      LauncherSample end,
      ToLongFunction<LauncherSample> value,
      String target,
      Tolerance tolerance) {
    long s = value.applyAsLong(start);
    long e = value.applyAsLong(end);
    return new Row(
        "soak",
        figure,
        value.applyAsLong(afterCycles) + "; " + e,
        s + " at start",
        String.format(Locale.ROOT, "%+d", e - s),
        target,
        tolerance.holds(s, e) ? "PASS" : "MISS");
  }

  private static Row heapRow(
      String figure, LauncherSample start, LauncherSample afterCycles, LauncherSample end) {
    long s = start.heapKb();
    long e = end.heapKb();
    boolean pass = e - s <= Math.max(s / 5, HEAP_SLACK_KB);
    return new Row(
        "soak",
        figure,
        String.format(Locale.ROOT, "%s; %s", mib(afterCycles.heapKb()), mib(e)),
        mib(s) + " at start",
        String.format(Locale.ROOT, "%+.1f MiB (%+.0f%%)", (e - s) / 1024.0, 100.0 * (e - s) / s),
        "≤ +20% or +8 MiB",
        pass ? "PASS" : "MISS");
  }

  private static String mib(long kb) {
    return String.format(Locale.ROOT, "%.1f MiB", kb / 1024.0);
  }

  /** Samples the launcher once its plugin processes are gone (the last drop stopped them). */
  private static LauncherSample sample(LauncherProcess kpm, String when) {
    boolean quiet =
        Await.poll(
            Duration.ofSeconds(30),
            () -> ProcessHandle.of(kpm.pid()).map(h -> h.descendants().count() == 0).orElse(true));
    if (!quiet) {
      say("   kpm's JVM still has child processes 30 s after the last drop");
    }
    LauncherSample sample = LauncherSample.of(kpm.pid());
    say("   " + when + ": " + sample);
    return sample;
  }

  /** The outcome of some create/drop cycles. */
  private record Cycles(int failures, double seconds, double[] cycleMs, List<String> firstErrors) {
    double percentileMs(int p) {
      double[] sorted = cycleMs.clone();
      Arrays.sort(sorted);
      return sorted.length == 0
          ? 0
          : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    String describe() {
      StringBuilder text =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "   %d cycles in %.1f s, %d failed",
                  cycleMs.length,
                  seconds,
                  failures));
      firstErrors.forEach(e -> text.append("\n     ").append(e));
      return text.toString();
    }
  }

  /** {@code n} cycles of POST /plugins/portables (201) and DELETE /plugins/portables/… (200). */
  private static Cycles cycles(LauncherProcess kpm, String create, int n) throws Exception {
    int failures = 0;
    List<String> errors = new ArrayList<>();
    double[] times = new double[n];
    long started = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      HttpResponse<String> created = kpm.send("POST", "/plugins/portables", create);
      HttpResponse<String> dropped = kpm.send("DELETE", "/plugins/portables/" + PLUGIN, null);
      times[i] = (System.nanoTime() - t) / 1e6;
      if (created.statusCode() != 201 || dropped.statusCode() != 200) {
        failures++;
        if (errors.size() < 5) {
          errors.add(
              "cycle "
                  + (i + 1)
                  + ": create "
                  + created.statusCode()
                  + " "
                  + created.body()
                  + ", drop "
                  + dropped.statusCode()
                  + " "
                  + dropped.body());
        }
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    return new Cycles(failures, seconds, times, errors);
  }

  /** Creates kpm must refuse with 400, in turn: three kinds. */
  private static final class Refusals {
    static final String KINDS =
        "native zip without its .so, invalid name, portable zip without its executable";
    private final String noSo;
    private final String badName;
    private final String noExecutable;

    Refusals(Path zips) {
      Path yamlOnly =
          TestPlugins.zip(
              zips.resolve("soakrefused-no-so.zip"),
              List.of(
                  Entry.file("soakrefused.yaml", "default:\n  interval: 1000\n"),
                  Entry.file("soakrefused.json", "{}")));
      noSo = body("soakrefused", yamlOnly);
      badName = body("soak.refused", yamlOnly);
      Path noExe =
          TestPlugins.zip(
              zips.resolve("soakbad-no-executable.zip"),
              List.of(
                  Entry.file(
                      "soakbad.json",
                      "{\"version\":\"v1.0.0\",\"language\":\"go\",\"executable\":\"soakbad\","
                          + "\"sources\":[\"counter\"]}"),
                  Entry.file("sources/counter.yaml", "default:\n  interval: 100\n")));
      noExecutable = body("soakbad", noExe);
    }

    /** {@code n} refused creates; the number answered 400. */
    int run(LauncherProcess kpm, int n) throws Exception {
      long started = System.nanoTime();
      int refused = 0;
      int reported = 0;
      for (int i = 0; i < n; i++) {
        HttpResponse<String> r =
            switch (i % 3) {
              case 0 -> kpm.send("POST", "/plugins/sources", noSo);
              case 1 -> kpm.send("POST", "/plugins/sources", badName);
              default -> kpm.send("POST", "/plugins/portables", noExecutable);
            };
        if (r.statusCode() == 400) {
          refused++;
        } else if (reported++ < 5) {
          say("     refused create " + (i + 1) + " answered " + r.statusCode() + ": " + r.body());
        }
        if (r.statusCode() == 201) { // so that the next ones are refused for the same reason
          String type = i % 3 == 2 ? "portables/soakbad" : "sources/soakrefused";
          kpm.send("DELETE", "/plugins/" + type, null);
        }
      }
      say(
          String.format(
              Locale.ROOT,
              "   %d of %d refused with 400, in %.1f s",
              refused,
              n,
              (System.nanoTime() - started) / 1e9));
      return refused;
    }
  }

  // ------------------------------------------------------------------------------------ shared

  /** Starts the launcher on {@code home}; the shutdown hook stops it if this JVM ends first. */
  static LauncherProcess start(Path home, int dbPort, String logName) throws Exception {
    LauncherProcess kpm = LauncherProcess.start(home, dbPort, logName, jvmOptions());
    RUNNING.set(kpm);
    return kpm;
  }

  /** Forgets the launcher {@link #start} started (it ended). */
  static void forget(LauncherProcess kpm) {
    RUNNING.compareAndSet(kpm, null);
  }

  private static void stopRunning() {
    Optional.ofNullable(RUNNING.get())
        .flatMap(kpm -> ProcessHandle.of(kpm.pid()))
        .ifPresent(
            h -> {
              h.destroy(); // SIGTERM: the launcher stops its plugins and PostgreSQL
              h.onExit().join();
            });
  }

  /** The create/update body of plugin {@code name} from a local zip. */
  static String body(String name, Path zip) {
    return "{\"name\":\"" + name + "\",\"file\":\"file://" + zip + "\"}";
  }

  private static void record(List<Row> all, List<Row> rows, Path rowsFile) throws IOException {
    all.addAll(rows);
    Files.write(
        rowsFile,
        rows.stream().map(Row::line).toList(),
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  static void say(String line) {
    System.err.println(line);
  }

  private static List<String> jvmOptions() {
    String opts = System.getenv().getOrDefault("KPM_JAVA_OPTS", "").trim();
    return opts.isEmpty() ? List.of() : List.of(opts.split("\\s+"));
  }

  static long env(String name, long fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : Long.parseLong(v.trim());
  }
}
