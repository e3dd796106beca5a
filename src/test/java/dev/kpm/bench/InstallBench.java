package dev.kpm.bench;

import dev.kpm.testing.FixtureServer;
import dev.kpm.testing.LauncherProcess;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The install benchmarks of {@code bench/install.sh}, against the launcher jar (embedded Tomcat and
 * PostgreSQL in a JVM of its own, as the README runs kpm). A benchmark, not a test: a main class,
 * which surefire does not run.
 *
 * <ul>
 *   <li><b>B1</b>: {@code POST /plugins/sources} of a generated ~50 MB native plugin zip (thousands
 *       of files) over {@code file://} and over {@code http://} from a loopback server, until the
 *       201; the plugin is deleted (untimed) between rounds. Baseline, in the same rounds: {@code
 *       unzip -q} of the same zip into a fresh folder, then {@code sync}.
 *   <li><b>B5</b>: 50 distinct small plugins installed from {@code file://}, all at once (50
 *       concurrent requests) against one after another; every request must answer 201.
 * </ul>
 *
 * Before every timed step the bench runs {@code sync} (untimed), so no step pays for the previous
 * one's dirty pages. Each figure is the median over the rounds; every round's times are printed.
 *
 * <p>Usage: {@code InstallBench <work folder>}; the system property {@code kpm.it.launcher} names
 * the launcher jar. Environment: {@code ROUNDS} (B1, default 5), {@code PAR_ROUNDS} (B5, default
 * 3), {@code WARMUP} (untimed B1 installs per scheme first, default 2), {@code SIZE_MB} (default
 * 50), {@code PLUGINS} (default 50), {@code BENCH} ({@code b1}, {@code b5} or {@code all}, the
 * default), {@code KPM_JAVA_OPTS} (options for kpm's JVM, e.g. a JFR recording).
 */
public final class InstallBench {
  private static final String BULK = "bulk";
  // USER_HZ: /proc reports CPU in 1/100 s on every Linux architecture kpm runs on.
  private static final double TICKS = 100.0;

  private final Path work;
  private final LauncherProcess kpm;
  private final FixtureServer http;
  private final List<Double> syncSeconds = new ArrayList<>();

  private InstallBench(Path work, LauncherProcess kpm, FixtureServer http) {
    this.work = work;
    this.kpm = kpm;
    this.http = http;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: InstallBench <work folder>");
      System.exit(2);
    }
    int rounds = env("ROUNDS", 5);
    int parRounds = env("PAR_ROUNDS", 3);
    int sizeMb = env("SIZE_MB", 50);
    int plugins = env("PLUGINS", 50);
    Path work = Path.of(args[0]).toAbsolutePath();
    deleteTree(work);
    Path data = Files.createDirectories(work.resolve("data"));
    Files.createDirectories(work.resolve("home"));

    say("== generating the zips into " + data);
    BenchZips.Made bulk =
        BenchZips.bulk(data.resolve(BULK + ".zip"), BULK, sizeMb * 1_000_000L, false);
    Path scripted =
        BenchZips.bulk(data.resolve(BULK + "-script.zip"), BULK, sizeMb * 1_000_000L, true).zip();
    say(
        String.format(
            Locale.ROOT,
            "B1 zip: %d entries, %.1f MB zipped, %.1f MB of content",
            bulk.entries(),
            bulk.zipBytes() / 1e6,
            bulk.contentBytes() / 1e6));
    List<Path> small = new ArrayList<>();
    for (int i = 1; i <= plugins; i++) {
      small.add(BenchZips.small(data.resolve(smallName(i) + ".zip"), smallName(i), i).zip());
    }
    say(
        String.format(
            Locale.ROOT, "B5 zips: %d, %.0f KB each", plugins, Files.size(small.get(0)) / 1e3));

    String load0 = loadAverage();
    say("== starting kpm (launcher jar, embedded PostgreSQL)");
    LauncherProcess kpm =
        LauncherProcess.start(
            work.resolve("home"), LauncherProcess.freePort(), "kpm.log", jvmOptions());
    List<String> rows = new ArrayList<>();
    try (FixtureServer server = new FixtureServer(data)) {
      InstallBench bench = new InstallBench(work, kpm, server);
      String only = System.getenv().getOrDefault("BENCH", "all");
      if (!only.equals("b5")) {
        rows.addAll(bench.b1(bulk.zip(), scripted, rounds));
      }
      if (!only.equals("b1")) {
        rows.add(bench.b5(small, parRounds));
      }
    } finally {
      say("== stopping kpm: exit status " + kpm.stop());
    }
    System.out.println();
    System.out.println("machine: " + machine());
    System.out.println("load average: " + load0 + " at start, " + loadAverage() + " at end");
    System.out.println(
        String.format(
            Locale.ROOT,
            "B1 zip: %d entries, %.1f MB zipped, %.1f MB unzipped; B5: %d zips of %.0f KB; "
                + "medians over %d (B1) and %d (B5) rounds",
            bulk.entries(),
            bulk.zipBytes() / 1e6,
            bulk.contentBytes() / 1e6,
            plugins,
            Files.size(small.get(0)) / 1e3,
            rounds,
            parRounds));
    System.out.println();
    System.out.println("| figure | kpm | baseline (same run) | ratio | target | result |");
    System.out.println("| --- | ---: | --- | ---: | ---: | --- |");
    rows.forEach(System.out::println);
  }

  // ---- B1 ----

  /** Wall-clock and CPU seconds of one timed step. */
  private record Sample(double wall, double cpu) {}

  private List<String> b1(Path zip, Path scripted, int rounds) throws Exception {
    String fileUrl = "file://" + zip;
    String httpUrl = http.url(zip.getFileName().toString());
    String scriptUrl = "file://" + scripted;
    int warmup = env("WARMUP", 2);
    say("== B1 warm-up: " + warmup + " installs of each kind, one unzip");
    unzip(zip);
    for (int i = 0; i < warmup; i++) {
      installBulk(fileUrl);
      installBulk(httpUrl);
      installBulk(scriptUrl);
    }
    List<List<Sample>> samples =
        List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (int r = 0; r < rounds; r++) {
      // Each step pays for the files the step before it deleted (README): the order rotates.
      for (int step = 0; step < 4; step++) {
        int kind = (r + step) % 4;
        samples
            .get(kind)
            .add(
                switch (kind) {
                  case 0 -> unzip(zip);
                  case 1 -> installBulk(fileUrl);
                  case 2 -> installBulk(httpUrl);
                  default -> installBulk(scriptUrl);
                });
      }
      say(
          String.format(
              Locale.ROOT,
              "B1 round %d (wall/CPU s): unzip+sync %s, kpm file:// %s, http:// %s, file:// with"
                  + " install.sh %s",
              r + 1,
              text(samples.get(0).get(r)),
              text(samples.get(1).get(r)),
              text(samples.get(2).get(r)),
              text(samples.get(3).get(r))));
    }
    Sample b = median(samples.get(0));
    say(
        String.format(
            Locale.ROOT,
            "B1 medians (wall/CPU s): unzip+sync %s (of which sync %.2f s), kpm file:// %s,"
                + " http:// %s, file:// with install.sh %s",
            text(b),
            median(syncSeconds.stream().mapToDouble(d -> d).toArray()),
            text(median(samples.get(1))),
            text(median(samples.get(2))),
            text(median(samples.get(3)))));
    return List.of(
        row("B1 50 MB zip, file://", median(samples.get(1)).wall(), b.wall()),
        row("B1 50 MB zip, http:// (loopback)", median(samples.get(2)).wall(), b.wall()),
        row(
            "B1 50 MB zip + install.sh (all files written), file://",
            median(samples.get(3)).wall(),
            b.wall()));
  }

  /** {@code unzip -q} into a fresh folder, then {@code sync}; the folder is removed afterwards. */
  private Sample unzip(Path zip) throws Exception {
    Path dest = work.resolve("unzip");
    deleteTree(dest);
    sync();
    long c0 = childrenCpuTicks();
    long t0 = System.nanoTime();
    run("unzip", "-q", zip.toString(), "-d", dest.toString());
    long t1 = System.nanoTime();
    run("sync");
    syncSeconds.add((System.nanoTime() - t1) / 1e9);
    Sample s = new Sample((System.nanoTime() - t0) / 1e9, (childrenCpuTicks() - c0) / TICKS);
    deleteTree(dest);
    return s;
  }

  /** One timed install (POST until the 201) of the bulk plugin, then its untimed delete. */
  private Sample installBulk(String url) throws Exception {
    sync();
    long c0 = kpmCpuTicks();
    long t0 = System.nanoTime();
    HttpResponse<String> created =
        kpm.send(
            "POST", "/plugins/sources", "{\"name\":\"" + BULK + "\",\"file\":\"" + url + "\"}");
    Sample s = new Sample((System.nanoTime() - t0) / 1e9, (kpmCpuTicks() - c0) / TICKS);
    expect(created, 201, "install of " + url);
    expect(kpm.send("GET", "/plugins/sources/" + BULK, null), 200, "describe");
    expect(kpm.send("DELETE", "/plugins/sources/" + BULK, null), 200, "delete");
    return s;
  }

  // ---- B5 ----

  private String b5(List<Path> zips, int rounds) throws Exception {
    say("== B5 warm-up: one parallel round");
    AtomicInteger failures = new AtomicInteger();
    parallel(zips, failures);
    List<Sample> seq = new ArrayList<>();
    List<Sample> par = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      seq.add(sequential(zips, failures));
      par.add(parallel(zips, failures));
      say(
          String.format(
              Locale.ROOT,
              "B5 round %d (wall/CPU s): %d one after another %s, all at once %s, failures so far %d",
              r + 1,
              zips.size(),
              text(seq.get(r)),
              text(par.get(r)),
              failures.get()));
    }
    Sample s = median(seq);
    Sample p = median(par);
    say(
        String.format(
            Locale.ROOT,
            "B5 medians (wall/CPU s): one after another %s, all at once %s",
            text(s),
            text(p)));
    double speedUp = s.wall() / p.wall();
    boolean pass = speedUp >= 1.5 && failures.get() == 0;
    return String.format(
        Locale.ROOT,
        "| B5 %d installs all at once (%d failures) | %.2f s | %.2f s one after another |"
            + " %.2f× faster | ≥ 1.5×, 0 failures | %s |",
        zips.size(),
        failures.get(),
        p.wall(),
        s.wall(),
        speedUp,
        pass ? "PASS" : "MISS");
  }

  private Sample sequential(List<Path> zips, AtomicInteger failures) throws Exception {
    sync();
    long c0 = kpmCpuTicks();
    long t0 = System.nanoTime();
    for (Path zip : zips) {
      installSmall(zip, failures);
    }
    Sample s = new Sample((System.nanoTime() - t0) / 1e9, (kpmCpuTicks() - c0) / TICKS);
    deleteAll(zips);
    return s;
  }

  private Sample parallel(List<Path> zips, AtomicInteger failures) throws Exception {
    sync();
    ExecutorService clients = Executors.newFixedThreadPool(zips.size());
    try {
      CountDownLatch ready = new CountDownLatch(zips.size());
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (Path zip : zips) {
        done.add(
            clients.submit(
                () -> {
                  ready.countDown();
                  go.await();
                  installSmall(zip, failures);
                  return null;
                }));
      }
      ready.await();
      long c0 = kpmCpuTicks();
      long t0 = System.nanoTime();
      go.countDown();
      for (Future<?> f : done) {
        f.get(5, TimeUnit.MINUTES);
      }
      Sample s = new Sample((System.nanoTime() - t0) / 1e9, (kpmCpuTicks() - c0) / TICKS);
      deleteAll(zips);
      return s;
    } finally {
      clients.shutdownNow();
    }
  }

  private void installSmall(Path zip, AtomicInteger failures) throws Exception {
    String name = pluginName(zip);
    HttpResponse<String> r =
        kpm.send(
            "POST",
            "/plugins/sources",
            "{\"name\":\"" + name + "\",\"file\":\"file://" + zip + "\"}");
    if (r.statusCode() != 201) {
      failures.incrementAndGet();
      say("B5 install of " + name + " answered " + r.statusCode() + ": " + r.body());
    }
  }

  private void deleteAll(List<Path> zips) throws Exception {
    for (Path zip : zips) {
      expect(kpm.send("DELETE", "/plugins/sources/" + pluginName(zip), null), 200, "delete");
    }
  }

  // ---- helpers ----

  private static String row(String what, double kpmSeconds, double base) {
    double ratio = kpmSeconds / base;
    return String.format(
        Locale.ROOT,
        "| %s | %.2f s | %.2f s `unzip -q` + `sync` | %.2f× | ≤ 1.3× | %s |",
        what,
        kpmSeconds,
        base,
        ratio,
        ratio <= 1.3 ? "PASS" : "MISS");
  }

  private static String smallName(int i) {
    return String.format(Locale.ROOT, "par%02d", i);
  }

  private static String pluginName(Path zip) {
    String file = zip.getFileName().toString();
    return file.substring(0, file.length() - ".zip".length());
  }

  private static void expect(HttpResponse<String> r, int status, String what) {
    if (r.statusCode() != status) {
      throw new IllegalStateException(what + " answered " + r.statusCode() + ": " + r.body());
    }
  }

  private static void sync() throws Exception {
    run("sync");
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).inheritIO().start();
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " failed");
    }
  }

  private static Sample median(List<Sample> samples) {
    return new Sample(
        median(samples.stream().mapToDouble(Sample::wall).toArray()),
        median(samples.stream().mapToDouble(Sample::cpu).toArray()));
  }

  private static String text(Sample s) {
    return String.format(Locale.ROOT, "%.2f/%.2f", s.wall(), s.cpu());
  }

  /**
   * User + system CPU of kpm, in clock ticks: its JVM (the launcher, a child of this JVM) and its
   * embedded PostgreSQL (a daemon, found by the data folder on its command line, and its backends).
   */
  private long kpmCpuTicks() throws IOException {
    String pgdata = work.resolve("home").resolve("pgdata").toString();
    long ticks = 0;
    for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
      String command = p.info().commandLine().orElse("");
      boolean launcher =
          p.parent().map(ProcessHandle.current()::equals).orElse(false)
              && command.contains("kpm-launcher");
      if (launcher || command.contains(pgdata)) {
        ticks += statTicks("/proc/" + p.pid() + "/stat", 14);
        for (ProcessHandle backend : p.children().toList()) {
          ticks += statTicks("/proc/" + backend.pid() + "/stat", 14);
        }
      }
    }
    return ticks;
  }

  /** User + system CPU of this JVM's finished children (unzip, sync), in clock ticks. */
  private static long childrenCpuTicks() throws IOException {
    return statTicks("/proc/self/stat", 16);
  }

  /** Fields {@code field} and {@code field + 1} of a /proc stat file, added (proc(5) numbering). */
  private static long statTicks(String stat, int field) throws IOException {
    String line;
    try {
      line = Files.readString(Path.of(stat));
    } catch (NoSuchFileException gone) {
      return 0; // a process that ended meanwhile
    }
    // After "pid (comm) " comes field 3; comm may hold spaces, hence the split after its ')'.
    String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[field - 3]) + Long.parseLong(f[field - 2]);
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  private static List<String> jvmOptions() {
    String opts = System.getenv().getOrDefault("KPM_JAVA_OPTS", "").trim();
    return opts.isEmpty() ? List.of() : List.of(opts.split("\\s+"));
  }

  private static int env(String name, int fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : Integer.parseInt(v.trim());
  }

  private static String loadAverage() throws IOException {
    String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return f[0] + " " + f[1] + " " + f[2];
  }

  private static String machine() throws IOException {
    String cpu;
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      cpu =
          lines
              .filter(l -> l.startsWith("model name"))
              .findFirst()
              .map(l -> l.substring(l.indexOf(':') + 1).trim())
              .orElse("unknown CPU");
    }
    return Runtime.getRuntime().availableProcessors()
        + " cores, "
        + cpu
        + ", Java "
        + System.getProperty("java.version");
  }

  private static void say(String line) {
    System.err.println(line);
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(p);
      }
    }
  }
}
