package dev.kpm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.bench.Soak.Row;
import dev.kpm.testing.LauncherProcess;
import dev.kpm.testing.ProbePlugins;
import dev.kpm.testing.Processes;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The kill rounds of {@link Soak}: kpm is SIGKILLed in the middle of concurrent plugin changes,
 * over and over on one home, and after every restart its invariants must hold.
 *
 * <p>Each round starts the launcher on the home (the same PostgreSQL port each time), checks the
 * {@link Invariant}s, starts 1–3 random changes in parallel — create, update or drop of native
 * sources {@code k0}…{@code k4} (half of their zips carry an {@code install.sh} that sleeps 0–2 s)
 * and of portable plugins {@code kp0}, {@code kp1} (the libnng probe) — waits a random 50–1500 ms,
 * notes the processes that must not outlive kpm (portable plugin processes, install.sh scripts,
 * every process below kpm's JVM) and kills the launcher with SIGKILL. A last start checks the
 * invariants once more and stops kpm with SIGTERM. Everything lives in the folder given: the home,
 * one log and one folder (zips, install.sh pid files) per round.
 */
final class KillRounds {
  private static final List<String> NATIVES = List.of("k0", "k1", "k2", "k3", "k4");
  private static final List<String> PORTABLES = List.of("kp0", "kp1");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration OPERATION_END = Duration.ofSeconds(60);
  private static final Duration DATABASE_STOP = Duration.ofSeconds(30);

  /** What must hold after every restart. */
  enum Invariant {
    FILES("a listed plugin lacks files (native health not ok; portable json or executable gone)"),
    SO_FILES("a .so in plugins/sources whose plugin is not listed, or a listed source without one"),
    STAGING("entries left in <home>/.kpm/staging"),
    SURVIVORS(
        "a process of the killed kpm (portable plugin, install.sh, any child) alive after restart"),
    RUNNING_INSTALLS("install records still RUNNING after the restart (k0…k4, kp0, kp1)");

    final String figure;

    Invariant(String figure) {
      this.figure = figure;
    }
  }

  /** A process that must be gone after the restart; its start time tells a reused pid apart. */
  private record Tracked(long pid, Instant started, String what) {
    static Optional<Tracked> of(long pid, String what) {
      return ProcessHandle.of(pid)
          .flatMap(h -> h.info().startInstant())
          .map(start -> new Tracked(pid, start, what));
    }

    boolean alive() {
      return Processes.alive(pid)
          && ProcessHandle.of(pid)
              .flatMap(h -> h.info().startInstant())
              .map(started::equals)
              .orElse(false);
    }

    void kill() {
      if (alive()) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }

    @Override
    public String toString() {
      return pid + " (" + what + ")";
    }
  }

  /** The plugins a check found listed. */
  private record Listed(Set<String> natives, Set<String> portables) {}

  /** One plugin change of a round, run in a thread of its own. */
  private record Operation(String what, Callable<HttpResponse<String>> call) {}

  private final Path dir;
  private final Path home;
  private final long seed;
  private final Random random;
  private final int dbPort = LauncherProcess.freePort();
  private final Map<String, List<Path>> portableZips = new LinkedHashMap<>();
  private final Map<Invariant, Integer> violations = new EnumMap<>(Invariant.class);
  private final List<Double> restartSeconds = new ArrayList<>();
  private double coldStartSeconds;
  private int kills;
  private int checks;
  private int operations;
  private int withScript;
  private int answered;
  private int zips;
  private int noted;
  private int aliveAtLaunch;
  private final int scriptMaxMs;

  /**
   * @param seed of the random choices: the same seed makes the same changes and delays
   * @param scriptMaxMs the longest sleep of an install.sh (they sleep 0 to this many ms)
   */
  KillRounds(Path dir, long seed, int scriptMaxMs) {
    this.dir = dir;
    this.home = dir.resolve("home");
    this.seed = seed;
    this.scriptMaxMs = scriptMaxMs;
    this.random = new Random(seed);
    for (Invariant i : Invariant.values()) {
      violations.put(i, 0);
    }
  }

  /** {@code rounds} kills, then a last start and check; the rows of the table. */
  List<Row> run(int rounds) throws Exception {
    stopOrphanDatabase(home);
    BenchHost.deleteTree(dir);
    Files.createDirectories(home);
    Path shared = Files.createDirectories(dir.resolve("zips"));
    for (String name : PORTABLES) {
      portableZips.put(
          name,
          List.of(
              ProbePlugins.zip(shared, name, "v1.0.0"), ProbePlugins.zip(shared, name, "v2.0.0")));
    }
    Soak.say(
        "== kills: "
            + rounds
            + " rounds in "
            + dir
            + " (PostgreSQL port "
            + dbPort
            + ", SEED="
            + seed
            + ")");
    ExecutorService threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "kill-round-operation");
              t.setDaemon(true);
              return t;
            });
    List<Tracked> previous = List.of();
    String failure = null;
    LauncherProcess kpm = null;
    try {
      for (int round = 1; round <= rounds + 1; round++) {
        String label = String.format(Locale.ROOT, "round-%03d", round);
        Path roundDir = Files.createDirectories(dir.resolve(label));
        long alive = previous.stream().filter(Tracked::alive).count();
        noted += previous.size();
        aliveAtLaunch += (int) alive;
        long launched = System.nanoTime();
        try {
          kpm = Soak.start(home, dbPort, label + ".log");
        } catch (Exception | AssertionError e) {
          kpm = null;
          failure = label + ": kpm did not answer after the restart (" + firstLine(e) + ")";
          Soak.say("   " + failure + "; see " + dir.resolve(label + ".log"));
          break;
        }
        double started = (System.nanoTime() - launched) / 1e9;
        if (round == 1) {
          coldStartSeconds = started;
        } else {
          restartSeconds.add(started);
        }
        Listed listed;
        try {
          listed = check(kpm, previous, label);
        } catch (Exception e) {
          failure = label + ": the checks failed (" + firstLine(e) + ")";
          Soak.say("   " + failure);
          break;
        }
        String restart =
            String.format(
                Locale.ROOT,
                "%s: started in %.1f s%s, checked",
                label,
                started,
                alive == 0 ? "" : " (noted processes alive at the launch: " + alive + ")");
        if (round == rounds + 1) {
          Soak.say("   " + restart);
          break;
        }
        previous = provoke(kpm, listed, roundDir, threads, restart);
        kpm = null;
      }
    } finally {
      threads.shutdownNow();
      if (kpm != null) {
        Soak.say("   stopping kpm: exit status " + kpm.stop());
        Soak.forget(kpm);
      }
      previous.forEach(Tracked::kill); // leftovers a failed restart did not stop
      stopOrphanDatabase(home);
    }
    return rows(rounds, failure);
  }

  // ---------------------------------------------------------------------------------- a round

  /**
   * Starts 1–3 changes, waits 50–1500 ms, notes the processes and kills kpm; returns them. {@code
   * restart} describes the start of the round for its line of progress.
   */
  private List<Tracked> provoke(
      LauncherProcess kpm, Listed listed, Path roundDir, ExecutorService threads, String restart)
      throws Exception {
    Path scripts = Files.createDirectories(roundDir.resolve("scripts"));
    int count = 1 + random.nextInt(3);
    List<Operation> ops = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ops.add(
          random.nextInt(5) < 3
              ? nativeChange(kpm, listed, roundDir)
              : portableChange(kpm, listed));
    }
    long delayMs = 50 + random.nextInt(1451);
    List<Future<HttpResponse<String>>> running = new ArrayList<>();
    for (Operation op : ops) {
      running.add(threads.submit(op.call()));
    }
    operations += ops.size();
    Thread.sleep(delayMs); // the deliberate random point of the kill, not a synchronisation
    List<Tracked> tracked = tracked(kpm, scripts);
    kpm.kill();
    Soak.forget(kpm);
    kills++;
    List<String> outcomes = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      outcomes.add(ops.get(i).what() + " → " + outcome(running.get(i)));
    }
    Soak.say(
        String.format(
            Locale.ROOT,
            "   %s; %s; SIGKILL after %d ms; processes noted: %d",
            restart,
            String.join(", ", outcomes),
            delayMs,
            tracked.size()));
    return tracked;
  }

  private String outcome(Future<HttpResponse<String>> op) throws InterruptedException {
    try {
      int status = op.get(OPERATION_END.toSeconds(), TimeUnit.SECONDS).statusCode();
      answered++;
      return Integer.toString(status);
    } catch (ExecutionException e) {
      return e.getCause() instanceof IOException ? "cut by the kill" : "failed: " + e.getCause();
    } catch (TimeoutException e) {
      op.cancel(true);
      return "no end within " + OPERATION_END.toSeconds() + " s";
    }
  }

  /** Create (when not listed), else update or drop, of a native source k0…k4. */
  private Operation nativeChange(LauncherProcess kpm, Listed listed, Path roundDir)
      throws IOException {
    String name = NATIVES.get(random.nextInt(NATIVES.size()));
    if (listed.natives().contains(name) && random.nextInt(5) < 2) {
      return new Operation(
          "DELETE sources " + name, () -> kpm.send("DELETE", "/plugins/sources/" + name, null));
    }
    int version = 1 + random.nextInt(9);
    long scriptMs = random.nextBoolean() ? random.nextInt(scriptMaxMs + 1) : -1;
    Path zip = nativeZip(roundDir, name, version, scriptMs);
    String body = Soak.body(name, zip);
    String what =
        " sources "
            + name
            + " v"
            + version
            + (scriptMs < 0
                ? ""
                : String.format(Locale.ROOT, " (install.sh %.1f s)", scriptMs / 1e3));
    if (scriptMs >= 0) {
      withScript++;
    }
    if (listed.natives().contains(name)) {
      return new Operation("PUT" + what, () -> kpm.send("PUT", "/plugins/sources/" + name, body));
    }
    return new Operation("POST" + what, () -> kpm.send("POST", "/plugins/sources", body));
  }

  /** Create (when not listed), else update or drop, of portable kp0 or kp1. */
  private Operation portableChange(LauncherProcess kpm, Listed listed) {
    String name = PORTABLES.get(random.nextInt(PORTABLES.size()));
    if (listed.portables().contains(name) && random.nextInt(5) < 2) {
      return new Operation(
          "DELETE portables " + name, () -> kpm.send("DELETE", "/plugins/portables/" + name, null));
    }
    int version = random.nextInt(2);
    String body = Soak.body(name, portableZips.get(name).get(version));
    String what = " portables " + name + " v" + (version + 1);
    if (listed.portables().contains(name)) {
      return new Operation("PUT" + what, () -> kpm.send("PUT", "/plugins/portables/" + name, body));
    }
    return new Operation("POST" + what, () -> kpm.send("POST", "/plugins/portables", body));
  }

  /**
   * A native source zip: {@code <Name or name>@v<version>.0.0.so}, its yaml and json, a config file
   * below {@code etc/}, a file for the script folder and, unless {@code scriptMs} is negative, an
   * {@code install.sh} that writes its pid below the round's {@code scripts/} and sleeps that long.
   */
  private Path nativeZip(Path roundDir, String name, int version, long scriptMs)
      throws IOException {
    String stem =
        random.nextBoolean()
            ? name.substring(0, 1).toUpperCase(Locale.ROOT) + name.substring(1)
            : name;
    byte[] so = new byte[1024 + random.nextInt(4096)];
    random.nextBytes(so);
    List<Entry> entries = new ArrayList<>();
    entries.add(new Entry(stem + "@v" + version + ".0.0.so", so, 0100755));
    entries.add(Entry.file(name + ".yaml", "default:\n  interval: " + version * 100 + "\n"));
    entries.add(Entry.file(name + ".json", "{\"about\":{\"trial\":true}}"));
    entries.add(Entry.file("etc/" + name + ".conf", "version=" + version + "\n"));
    entries.add(Entry.file("lib/" + name + "-dep.txt", "dependency of " + name + "\n"));
    int n = ++zips;
    if (scriptMs >= 0) {
      String id = name + "-" + n;
      Path tmp = roundDir.resolve("scripts").resolve(id + ".tmp");
      Path pid = roundDir.resolve("scripts").resolve(id + ".pid");
      String script =
          String.format(
              Locale.ROOT,
              "echo $$ > '%s' && mv '%s' '%s'\nexec sleep %.3f\n",
              tmp,
              tmp,
              pid,
              scriptMs / 1e3);
      entries.add(new Entry("install.sh", script.getBytes(StandardCharsets.UTF_8), 0100755));
    }
    Files.createDirectories(roundDir.resolve("zips"));
    return TestPlugins.zip(
        roundDir.resolve("zips").resolve(name + "-v" + version + "-" + n + ".zip"), entries);
  }

  /**
   * The processes that must not outlive kpm: the portable plugins' (their status pid), the
   * install.sh scripts' (their pid files) and every process below kpm's JVM.
   */
  private List<Tracked> tracked(LauncherProcess kpm, Path scripts) throws IOException {
    Map<Long, Tracked> found = new LinkedHashMap<>();
    for (String name : PORTABLES) {
      try {
        HttpResponse<String> r = kpm.send("GET", "/plugins/portables/" + name + "/status", null);
        long pid = r.statusCode() == 200 ? JSON.readTree(r.body()).path("pid").asLong() : 0;
        if (pid > 0) {
          Tracked.of(pid, "portable " + name).ifPresent(t -> found.putIfAbsent(pid, t));
        }
      } catch (Exception e) {
        Soak.say("   cannot read the status of " + name + ": " + e);
      }
    }
    try (Stream<Path> files = Files.list(scripts)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
        long pid = Long.parseLong(Files.readString(file).strip());
        String name = file.getFileName().toString();
        Tracked.of(pid, "install.sh " + name).ifPresent(t -> found.putIfAbsent(pid, t));
      }
    }
    ProcessHandle.of(kpm.pid())
        .ifPresent(
            launcher ->
                launcher
                    .descendants()
                    .forEach(
                        h ->
                            Tracked.of(h.pid(), h.info().command().orElse("child of kpm"))
                                .ifPresent(t -> found.putIfAbsent(h.pid(), t))));
    return List.copyOf(found.values());
  }

  // ---------------------------------------------------------------------------------- checks

  /** Checks every {@link Invariant} after a start; returns what is listed. */
  private Listed check(LauncherProcess kpm, List<Tracked> previous, String label) throws Exception {
    checks++;
    Set<String> sources = names(get(kpm, "/plugins/sources"));
    Set<String> sinks = names(get(kpm, "/plugins/sinks"));
    JsonNode portables = get(kpm, "/plugins/portables");
    Set<String> portableNames = new TreeSet<>();
    for (String name : sources) {
      checkHealth(kpm, "sources", name, label);
    }
    for (String name : sinks) {
      checkHealth(kpm, "sinks", name, label);
    }
    for (JsonNode info : portables) {
      String name = info.path("name").asText();
      portableNames.add(name);
      Path folder = home.resolve("plugins/portable").resolve(name);
      for (Path file :
          List.of(folder.resolve(name + ".json"), Path.of(info.path("executable").asText()))) {
        if (!Files.isRegularFile(file)) {
          violation(Invariant.FILES, label, "portable " + name + " lacks " + file);
        }
      }
    }
    checkSoFiles(sources, label);
    for (String entry : entries(home.resolve(".kpm/staging"))) {
      violation(Invariant.STAGING, label, ".kpm/staging/" + entry);
    }
    for (Tracked t : previous) {
      if (t.alive()) {
        violation(Invariant.SURVIVORS, label, t.toString());
      }
    }
    for (String name : NATIVES) {
      checkInstalls(kpm, "sources", name, label);
    }
    for (String name : PORTABLES) {
      checkInstalls(kpm, "portables", name, label);
    }
    return new Listed(sources, portableNames);
  }

  private void checkHealth(LauncherProcess kpm, String type, String name, String label)
      throws Exception {
    HttpResponse<String> r = kpm.send("GET", "/plugins/" + type + "/" + name + "/health", null);
    if (r.statusCode() != 200 || !JSON.readTree(r.body()).path("status").asText().equals("ok")) {
      violation(
          Invariant.FILES,
          label,
          type + " " + name + " health: " + r.statusCode() + " " + r.body());
    }
  }

  /** Each .so file's plugin (name up to {@code @} or {@code .so}, first letter lower) is listed. */
  private void checkSoFiles(Set<String> sources, String label) throws IOException {
    Set<String> owners = new TreeSet<>();
    for (String file : entries(home.resolve("plugins/sources"))) {
      if (!file.endsWith(".so")) {
        continue;
      }
      String stem = file.substring(0, file.length() - ".so".length()).split("@", -1)[0];
      String owner =
          stem.isEmpty() ? stem : stem.substring(0, 1).toLowerCase(Locale.ROOT) + stem.substring(1);
      owners.add(owner);
      if (!sources.contains(owner)) {
        violation(
            Invariant.SO_FILES, label, "plugins/sources/" + file + ": " + owner + " not listed");
      }
    }
    for (String name : sources) {
      if (!owners.contains(name)) {
        violation(Invariant.SO_FILES, label, "source " + name + " is listed without a .so file");
      }
    }
  }

  private void checkInstalls(LauncherProcess kpm, String type, String name, String label)
      throws Exception {
    HttpResponse<String> r = kpm.send("GET", "/plugins/" + type + "/" + name + "/installs", null);
    if (r.statusCode() == 404) {
      return; // never installed
    }
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          "GET installs of " + type + " " + name + ": " + r.statusCode() + " " + r.body());
    }
    for (JsonNode install : JSON.readTree(r.body())) {
      if (install.path("state").asText().equals("RUNNING")) {
        violation(Invariant.RUNNING_INSTALLS, label, type + " " + name + ": " + install);
      }
    }
  }

  private void violation(Invariant invariant, String label, String what) {
    violations.merge(invariant, 1, Integer::sum);
    Soak.say("   VIOLATION " + label + " " + invariant + ": " + what);
  }

  private static JsonNode get(LauncherProcess kpm, String path) throws Exception {
    HttpResponse<String> r = kpm.send("GET", path, null);
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET " + path + ": " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private static Set<String> names(JsonNode array) {
    Set<String> names = new TreeSet<>();
    array.forEach(n -> names.add(n.asText()));
    return names;
  }

  /** The names in a folder, sorted; none when it does not exist. */
  private static List<String> entries(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(folder)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  // ---------------------------------------------------------------------------------- report

  private List<Row> rows(int rounds, String failure) {
    List<Row> rows = new ArrayList<>();
    rows.add(
        Row.verdict(
            "kills",
            "rounds run: SIGKILL of kpm 50–1500 ms into 1–3 concurrent plugin changes (SEED="
                + seed
                + ")",
            kills + " of " + rounds,
            Integer.toString(rounds),
            kills == rounds));
    int restarts = restartSeconds.size();
    rows.add(
        Row.verdict(
            "kills",
            "restarts after a SIGKILL that answered (first 200 of GET /plugins/sources)"
                + (failure == null ? "" : "; " + failure),
            restarts + " of " + kills,
            "all",
            failure == null && restarts == kills));
    for (Invariant i : Invariant.values()) {
      int n = violations.get(i);
      rows.add(
          Row.verdict(
              "kills",
              "violations in " + checks + " checks: " + i.figure,
              Integer.toString(n),
              "0",
              n == 0));
    }
    rows.add(
        Row.info(
            "kills",
            "plugin changes started (native with install.sh; answered before the kill)",
            String.format(Locale.ROOT, "%d (%d; %d)", operations, withScript, answered)));
    rows.add(
        Row.info(
            "kills",
            "processes of a killed kpm noted before the kill (still alive when kpm was launched"
                + " again, i.e. left for kpm to stop)",
            noted + " (" + aliveAtLaunch + ")"));
    double median =
        Sample.median(restartSeconds.stream().mapToDouble(Double::doubleValue).toArray());
    double max = restartSeconds.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    rows.add(
        new Row(
            "kills",
            "restart after a SIGKILL, launch to first 200: median (max) of " + restarts,
            restarts == 0 ? "—" : String.format(Locale.ROOT, "%.1f s (max %.1f s)", median, max),
            String.format(Locale.ROOT, "%.1f s (first start, empty home)", coldStartSeconds),
            restarts == 0 ? "—" : String.format(Locale.ROOT, "%.2f×", median / coldStartSeconds),
            "—",
            "—"));
    return rows;
  }

  // ---------------------------------------------------------------------------------- cleanup

  /**
   * Stops the PostgreSQL a killed launcher left running on {@code <home>/pgdata} (its pid is the
   * first line of {@code postmaster.pid}): SIGTERM, SIGKILL after 30 s. Nothing when none runs.
   */
  static void stopOrphanDatabase(Path home) throws IOException {
    Path pidFile = home.resolve("pgdata/postmaster.pid");
    if (!Files.isRegularFile(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    if (lines.isEmpty() || !lines.get(0).strip().matches("\\d+")) {
      return;
    }
    Optional<ProcessHandle> postmaster =
        ProcessHandle.of(Long.parseLong(lines.get(0).strip()))
            .filter(h -> h.info().command().map(c -> c.endsWith("/postgres")).orElse(false));
    if (postmaster.isEmpty()) {
      return;
    }
    ProcessHandle pg = postmaster.get();
    Soak.say("   stopping the PostgreSQL " + pg.pid() + " a killed kpm left on " + home);
    pg.destroy();
    try {
      pg.onExit().get(DATABASE_STOP.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException | ExecutionException e) {
      pg.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String firstLine(Throwable e) {
    String message = String.valueOf(e.getMessage());
    int end = message.indexOf('\n');
    return end < 0 ? message : message.substring(0, end);
  }
}
