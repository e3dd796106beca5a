package dev.kpm.bench;

import dev.kpm.testing.FixtureServer;
import dev.kpm.testing.LauncherProcess;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The install benchmarks of {@code bench/install.sh} (README, Benchmarks): {@link BulkInstalls}
 * (B1) and {@link ParallelInstalls} (B5), against the launcher jar — embedded Tomcat and PostgreSQL
 * in a JVM of its own, as the README runs kpm. A benchmark, not a test: a main class, which
 * surefire does not run. Generates its zips into the work folder ({@link BenchZips}), prints every
 * round to stderr, then the machine, the load average and a Markdown table of the medians, each
 * figure next to its baseline from the same run, with the ratio, PASS or MISS, and the CPU seconds
 * of both sides (kpm: its JVM and its PostgreSQL), which vary less than wall time on a shared
 * machine.
 *
 * <p>Usage: {@code InstallBench <work folder> [rows file]}: the work folder is emptied first; the
 * rows file, if given, receives each benchmark's rows as soon as it ends, one {@link
 * BenchRow#line()} per line, for {@code bench/run.sh}'s combined table. The system property {@code
 * kpm.it.launcher} names the launcher jar. Environment: {@code ROUNDS} (B1, default 5: each step
 * once in each place of the order), {@code WARMUP} (untimed B1 installs of each kind first, default
 * 1), {@code PAR_ROUNDS} (B5, default 3), {@code SIZE_MB} (B1 zip, default 50), {@code PLUGINS}
 * (B5, default 50), {@code BENCH} ({@code b1}, {@code b5} or {@code all}, the default), {@code
 * KPM_JAVA_OPTS} (options for kpm's JVM, e.g. a JFR recording).
 */
public final class InstallBench {
  private InstallBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: InstallBench <work folder> [rows file]");
      System.exit(2);
    }
    int rounds = env("ROUNDS", BulkInstalls.STEPS);
    int sizeMb = env("SIZE_MB", 50);
    int plugins = env("PLUGINS", 50);
    String only = System.getenv().getOrDefault("BENCH", "all");
    Path work = Path.of(args[0]).toAbsolutePath();
    Path rowsFile = args.length > 1 ? Path.of(args[1]).toAbsolutePath() : null;
    BenchHost.deleteTree(work);
    if (rowsFile != null) {
      Files.createDirectories(rowsFile.getParent());
      Files.deleteIfExists(rowsFile);
    }
    Path data = Files.createDirectories(work.resolve("data"));
    Files.createDirectories(work.resolve("home"));

    say("== generating the zips into " + data);
    String bulkName = BulkInstalls.NAME;
    long bytes = sizeMb * 1_000_000L;
    BenchZips.Made bulk = BenchZips.bulk(data.resolve(bulkName + ".zip"), bulkName, bytes, false);
    Path scripted = BenchZips.bulk(data.resolve(bulkName + "-sh.zip"), bulkName, bytes, true).zip();
    List<Path> small = new ArrayList<>();
    for (int i = 1; i <= plugins; i++) {
      String name = String.format(Locale.ROOT, "par%02d", i);
      small.add(BenchZips.small(data.resolve(name + ".zip"), name, i).zip());
    }
    String zips =
        String.format(
            Locale.ROOT,
            "B1 zip: %d entries, %.1f MB zipped, %.1f MB unzipped; B5: %d zips of %.0f KB",
            bulk.entries(),
            bulk.zipBytes() / 1e6,
            bulk.contentBytes() / 1e6,
            plugins,
            Files.size(small.get(0)) / 1e3);
    say(zips);

    String load = BenchHost.loadAverage();
    say("== starting kpm (launcher jar, embedded PostgreSQL)");
    int dbPort = LauncherProcess.freePort();
    LauncherProcess kpm =
        LauncherProcess.start(work.resolve("home"), dbPort, "kpm.log", jvmOptions());
    List<BenchRow> rows = new ArrayList<>();
    try (FixtureServer http = new FixtureServer(data)) {
      if (!only.equals("b5")) {
        String size = sizeMb + " MB zip";
        int warmup = env("WARMUP", 1);
        record(
            rows,
            new BulkInstalls(work, kpm, http, dbPort)
                .run(bulk.zip(), scripted, size, rounds, warmup),
            rowsFile);
      }
      if (!only.equals("b1")) {
        record(
            rows,
            List.of(new ParallelInstalls(work, kpm).run(small, env("PAR_ROUNDS", 3))),
            rowsFile);
      }
    } finally {
      say("== stopping kpm: exit status " + kpm.stop());
    }
    System.out.println();
    System.out.println("machine: " + BenchHost.machine(work));
    System.out.println(
        "load average: " + load + " at start, " + BenchHost.loadAverage() + " at end");
    System.out.println(zips + "; medians over the rounds");
    System.out.println();
    System.out.println(
        "| figure | kpm | baseline (same run) | ratio | target | result | CPU kpm / baseline |");
    System.out.println("| --- | ---: | --- | ---: | --- | --- | ---: |");
    rows.forEach(r -> System.out.println(r.markdown()));
  }

  /** Keeps a benchmark's rows for the table and appends them to the rows file, if any. */
  private static void record(List<BenchRow> all, List<BenchRow> rows, Path rowsFile)
      throws IOException {
    all.addAll(rows);
    if (rowsFile != null) {
      Files.write(
          rowsFile,
          rows.stream().map(BenchRow::line).toList(),
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
  }

  static void expect(HttpResponse<String> r, int status, String what) {
    if (r.statusCode() != status) {
      throw new IllegalStateException(what + " answered " + r.statusCode() + ": " + r.body());
    }
  }

  static void say(String line) {
    System.err.println(line);
  }

  private static List<String> jvmOptions() {
    String opts = System.getenv().getOrDefault("KPM_JAVA_OPTS", "").trim();
    return opts.isEmpty() ? List.of() : List.of(opts.split("\\s+"));
  }

  private static int env(String name, int fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : Integer.parseInt(v.trim());
  }
}
