package dev.kpm.bench;

import static dev.kpm.bench.InstallBench.expect;
import static dev.kpm.bench.InstallBench.say;

import dev.kpm.testing.LauncherProcess;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The fleet benchmarks of {@code bench/fleet.sh} (README, Benchmarks, "Fleet (F1–F3)"): three kpm
 * launchers (A, B, C: three JVMs, homes and ports) on one PostgreSQL database, against one launcher
 * alone on a database of its own in the same PostgreSQL (the baseline: a fleet of one, the same
 * code path). The PostgreSQL is the launcher jar's embedded one, run alone ({@code --db-only}),
 * with kpm's durable settings. All four launchers run for the whole bench, with kpm's default fleet
 * timings (heartbeat 5 s, down after 15 s, reconcile 30 s), so a change reaches B and C by {@code
 * NOTIFY} only; the rounds alternate between the fleet and the lone node, so both see the same
 * machine. A benchmark, not a test: a main class, which surefire does not run.
 *
 * <ul>
 *   <li>F1: {@code PLUGINS} (100) small native source plugins created on A one after another
 *       ({@code POST /plugins/sources} over {@code file://}, each waiting for its 201), timed from
 *       the first POST until every node's {@code node_plugin} row of each is {@code applied} (the
 *       database polled every 10 ms) — against the lone node creating the same plugins the same way
 *       until its rows are {@code applied}. Median of {@code ROUNDS}; the plugins are deleted
 *       (untimed, until every row is {@code removed}) after each round.
 *   <li>F2: the same for one {@code SIZE_MB} (50) MB plugin ({@link BenchZips#bulk}).
 *   <li>F3: {@code CREATES} (50) single creates on A, one after another, each timed from A's 201
 *       until the last of B and C has it {@code applied} in {@code node_plugin} (the database
 *       polled every 2 ms); p50 and p99 (nearest rank), next to A's own POST → 201 of the same
 *       creates. Informational: no target.
 * </ul>
 *
 * <p>Each round of F1 and F2 uses zips of its own content (another seed, the same names), so no
 * round finds its archives already stored in the database. The CPU seconds are those of the
 * launcher JVMs and of the PostgreSQL backends of their database (by the database name in the
 * backend's process title; PostgreSQL's shared background processes are not counted).
 *
 * <p>Usage: {@code FleetBench <work folder> [rows file]}: the work folder is emptied first; the
 * rows file, if given, receives each benchmark's rows ({@link BenchRow#line()}) as soon as it ends.
 * The system property {@code kpm.it.launcher} names the launcher jar. Environment: {@code ROUNDS}
 * (F1/F2, default 3), {@code PLUGINS} (F1, 100), {@code SIZE_MB} (F2, 50), {@code CREATES} (F3,
 * 50), {@code BENCH} (any of {@code f1 f2 f3}, or {@code all}, the default), {@code KPM_JAVA_OPTS}
 * (options for the four launcher JVMs), {@code BENCH_HOMES} (where the homes go), {@code
 * BENCH_NODE_CPUS} (each launcher JVM capped at that many CPUs by a cgroup of its own, once it
 * runs: three hosts of that size and a lone one emulated on one machine; needs root).
 */
public final class FleetBench {
  private static final double TARGET = 1.5;
  private static final String TYPE = "sources";
  private static final Duration LIMIT = Duration.ofMinutes(5);
  private static final long POLL_MS = 10;
  private static final long F3_POLL_MS = 2;
  private static final List<String> FLEET = List.of("node-a", "node-b", "node-c");
  private static final String SOLO = "solo";

  private final Path work;
  private final Path data;
  private final Map<String, LauncherProcess> nodes = new LinkedHashMap<>();

  /**
   * {@code BENCH_NODE_CPUS}: the CPUs each launcher JVM may use (a cgroup quota each), so the three
   * nodes run as on hosts of their own of that size and the lone node on one such host; 0 (the
   * default): no cap, every process shares the machine's cores.
   */
  private final double cpusPerNode = envDouble("BENCH_NODE_CPUS");

  private final List<Path> groups = new ArrayList<>();

  /**
   * What else one timed round of a side measured: its JIT compiler threads' CPU seconds, the whole
   * machine's busy CPU seconds (every process and the kernel), and the seconds until the origin's
   * last 201.
   */
  private record Round(double jit, double machine, double creates) {}

  /** Per side (true: the fleet), its last round. */
  private final Map<Boolean, Round> last = new java.util.HashMap<>();

  private Connection fleetDb;
  private Connection soloDb;
  private String pgdata;
  private String baseUrl;

  private FleetBench(Path work) {
    this.work = work;
    this.data = work.resolve("data");
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: FleetBench <work folder> [rows file]");
      System.exit(2);
    }
    Path work = Path.of(args[0]).toAbsolutePath();
    Path rowsFile = args.length > 1 ? Path.of(args[1]).toAbsolutePath() : null;
    BenchHost.deleteTree(work);
    Files.createDirectories(work.resolve("data"));
    if (rowsFile != null) {
      Files.createDirectories(rowsFile.getParent());
      Files.deleteIfExists(rowsFile);
    }
    int code = new FleetBench(work).run(rowsFile);
    System.exit(code);
  }

  private int run(Path rowsFile) throws Exception {
    int rounds = env("ROUNDS", 3);
    int plugins = env("PLUGINS", 100);
    int sizeMb = env("SIZE_MB", 50);
    int creates = env("CREATES", 50);
    String bench = System.getenv().getOrDefault("BENCH", "all").toLowerCase(Locale.ROOT);
    boolean f1 = wants(bench, "f1");
    boolean f2 = wants(bench, "f2");
    boolean f3 = wants(bench, "f3");

    String load = BenchHost.loadAverage();
    say("== generating the zips into " + data);
    List<List<Path>> small = new ArrayList<>();
    List<BenchZips.Made> bulk = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      Path dir = Files.createDirectories(data.resolve("r" + r));
      List<Path> zips = new ArrayList<>();
      for (int i = 1; f1 && i <= plugins; i++) {
        String name = String.format(Locale.ROOT, "fs%03d", i);
        zips.add(BenchZips.small(dir.resolve(name + ".zip"), name, 1_000L * r + i).zip());
      }
      small.add(zips);
      if (f2) {
        bulk.add(
            BenchZips.bulk(dir.resolve("fbulk.zip"), "fbulk", sizeMb * 1_000_000L, false, 42 + r));
      }
    }
    List<Path> latency = new ArrayList<>();
    Path latDir = Files.createDirectories(data.resolve("lat"));
    for (int i = 1; f3 && i <= creates; i++) {
      String name = String.format(Locale.ROOT, "lat%03d", i);
      latency.add(BenchZips.small(latDir.resolve(name + ".zip"), name, 500_000L + i).zip());
    }
    Path warm = BenchZips.small(data.resolve("warm.zip"), "warm", 7).zip();
    // The JIT compiles kpm's install path over the first few hundred installs (C2 alone was a third
    // of a follower's CPU in the fourth round of 100): untimed rounds of the same work first, on
    // both sides, so the rows compare converging, not three JVMs warming up against one.
    int warmRounds = env("WARMUP", 6);
    List<List<Path>> warmSmall = new ArrayList<>();
    for (int r = 0; r < warmRounds; r++) {
      Path dir = Files.createDirectories(data.resolve("w" + r));
      List<Path> zips = new ArrayList<>();
      for (int i = 1; i <= plugins; i++) {
        String name = String.format(Locale.ROOT, "fs%03d", i);
        zips.add(
            BenchZips.small(dir.resolve(name + ".zip"), name, 900_000L + 1_000L * r + i).zip());
      }
      warmSmall.add(zips);
    }
    Path warmBulk =
        f2 && warmRounds > 0
            ? BenchZips.bulk(data.resolve("w0/fbulk.zip"), "fbulk", sizeMb * 1_000_000L, false, 41)
                .zip()
            : null;
    StringBuilder zips = new StringBuilder();
    if (f1) {
      zips.append(
          String.format(
              Locale.ROOT,
              "F1: %d zips of %.0f KB; ",
              plugins,
              Files.size(small.get(0).get(0)) / 1e3));
    }
    if (f2) {
      BenchZips.Made b = bulk.get(0);
      zips.append(
          String.format(
              Locale.ROOT,
              "F2: %d entries, %.1f MB zipped, %.1f MB unzipped; ",
              b.entries(),
              b.zipBytes() / 1e6,
              b.contentBytes() / 1e6));
    }
    if (f3) {
      zips.append("F3: ").append(creates).append(" small zips; ");
    }
    say(zips.toString());

    List<BenchRow> rows = new ArrayList<>();
    Process db = startDatabase();
    try {
      startNodes();
      warmUp(warm);
      warmRounds(warmSmall, warmBulk);
      if (f1) {
        record(rows, List.of(f1(small, rounds)), rowsFile);
      }
      if (f2) {
        record(rows, List.of(f2(bulk, sizeMb, rounds)), rowsFile);
      }
      if (f3) {
        record(rows, f3(latency), rowsFile);
      }
    } finally {
      for (Map.Entry<String, LauncherProcess> n : nodes.entrySet()) {
        if (n.getValue().isAlive()) {
          say("== stopping " + n.getKey() + ": exit status " + n.getValue().stop());
        }
      }
      closeQuietly(fleetDb);
      closeQuietly(soloDb);
      db.destroy();
      if (!db.waitFor(60, TimeUnit.SECONDS)) {
        db.destroyForcibly();
      }
      say("== stopping the database: exit status " + db.exitValue());
      groups.forEach(BenchHost::uncap);
    }
    System.out.println();
    System.out.println("machine: " + BenchHost.machine(work));
    System.out.println(
        "load average: " + load + " at start, " + BenchHost.loadAverage() + " at end");
    System.out.println(
        zips
            + "creates on A one after another over file://; F1/F2 medians of "
            + rounds
            + " rounds");
    System.out.println();
    System.out.println(
        "| figure | kpm (fleet of 3) | baseline (same run) | ratio | target | result | CPU fleet"
            + " / baseline |");
    System.out.println("| --- | ---: | --- | ---: | --- | --- | ---: |");
    rows.forEach(r -> System.out.println(r.markdown()));
    return 0;
  }

  // ------------------------------------------------------------------------------- set-up

  /** The launcher jar's embedded PostgreSQL alone; creates the two databases. */
  private Process startDatabase() throws Exception {
    Path home = Files.createDirectories(work.resolve("db"));
    Path log = work.resolve("db.log");
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Dkpm.db.port=" + LauncherProcess.freePort(),
            "-jar",
            System.getProperty("kpm.it.launcher"),
            "--db-only");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("KPM_HOME", home.toString());
    builder.environment().remove("DB_URL");
    say("== starting PostgreSQL (java -jar kpm-launcher.jar --db-only)");
    Process p = builder.start();
    pgdata = home.resolve("pgdata").toString();
    String url = null;
    long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (url == null) {
      if (!p.isAlive() || System.nanoTime() > end) {
        p.destroyForcibly();
        throw new IllegalStateException("the database did not start:\n" + Files.readString(log));
      }
      url =
          Files.readAllLines(log).stream()
              .filter(l -> l.startsWith("jdbc:postgresql:"))
              .findFirst()
              .orElse(null);
      Thread.sleep(100);
    }
    String base = url.substring(0, url.lastIndexOf('/') + 1);
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE kpm_fleet");
      st.execute("CREATE DATABASE kpm_solo");
    }
    say("== PostgreSQL at " + base + ": databases kpm_fleet (A, B, C) and kpm_solo (baseline)");
    this.baseUrl = base;
    return p;
  }

  /** A, B and C on kpm_fleet, the lone node on kpm_solo, launched at once, then awaited. */
  private void startNodes() throws Exception {
    say("== starting 4 launchers: node-a, node-b, node-c (kpm_fleet) and solo (kpm_solo)");
    for (String id : FLEET) {
      nodes.put(id, launch(id, "kpm_fleet"));
    }
    nodes.put(SOLO, launch(SOLO, "kpm_solo"));
    if (cpusPerNode > 0) {
      for (Map.Entry<String, LauncherProcess> n : nodes.entrySet()) {
        groups.add(BenchHost.capCpu(n.getValue().pid(), n.getKey(), cpusPerNode));
      }
      say(
          String.format(
              Locale.ROOT,
              "== each launcher capped at %.2f CPU (its own cgroup): hosts of their own, emulated",
              cpusPerNode));
    }
    for (Map.Entry<String, LauncherProcess> n : nodes.entrySet()) {
      n.getValue().awaitReady();
      awaitUntil(
          n.getKey() + " ready", () -> send(n.getKey(), "GET", "/ready").statusCode() == 200);
    }
    fleetDb = DriverManager.getConnection(baseUrl + "kpm_fleet", "postgres", "");
    soloDb = DriverManager.getConnection(baseUrl + "kpm_solo", "postgres", "");
    say("== all ready (load " + BenchHost.loadAverage() + ")");
  }

  private LauncherProcess launch(String id, String database) throws IOException {
    String homes = System.getenv("BENCH_HOMES");
    Path home =
        Files.createDirectories(
            homes == null || homes.isBlank()
                ? work.resolve(id + "-home")
                : Path.of(homes).resolve(id + "-home").resolve("home"));
    Map<String, String> env = new HashMap<>();
    env.put("DB_URL", baseUrl + database);
    env.put("DB_USER", "postgres");
    env.put("DB_PASSWORD", "");
    env.put("KPM_NODE_ID", id);
    // kpm's defaults, spelt out: B and C learn of a change by NOTIFY, the reconcile is a backstop.
    env.put("KPM_FLEET_HEARTBEAT", "PT5S");
    env.put("KPM_FLEET_DOWN_AFTER", "PT15S");
    env.put("KPM_FLEET_RECONCILE", "PT30S");
    return LauncherProcess.launch(
        home,
        LauncherProcess.freePort(),
        id + ".log",
        jvmOptions(),
        env,
        LauncherProcess.Endpoint.HTTP);
  }

  /** One untimed create and delete of a small plugin on each side, converged everywhere. */
  private void warmUp(Path zip) throws Exception {
    say("== warm-up: one small plugin created and deleted on each side");
    List<String> names = List.of(ParallelInstalls.name(zip));
    for (boolean fleet : new boolean[] {false, true}) {
      String origin = fleet ? "node-a" : SOLO;
      create(origin, zip);
      awaitState(fleet, names, "applied");
      deleteAll(origin, names, fleet);
    }
  }

  /**
   * {@code WARMUP} untimed rounds of F1's work (and one of F2's when it runs) on each side, so that
   * every JVM has compiled the install and apply paths before the timed rounds.
   */
  private void warmRounds(List<List<Path>> small, Path bulk) throws Exception {
    if (small.isEmpty()) {
      return;
    }
    say(
        "== warm-up: "
            + small.size()
            + " untimed round(s) of "
            + small.get(0).size()
            + " small plugins"
            + (bulk == null ? "" : " and one of the large plugin")
            + " on each side");
    for (List<Path> zips : small) {
      for (boolean fleet : new boolean[] {false, true}) {
        converge(fleet, zips);
      }
    }
    if (bulk != null) {
      for (boolean fleet : new boolean[] {false, true}) {
        converge(fleet, List.of(bulk));
      }
    }
  }

  // ------------------------------------------------------------------------------- F1, F2

  private BenchRow f1(List<List<Path>> rounds, int n) throws Exception {
    say(
        "== F1: "
            + rounds.get(0).size()
            + " small plugins created on the origin, "
            + n
            + " rounds");
    List<Sample> fleet = new ArrayList<>();
    List<Sample> solo = new ArrayList<>();
    List<Double> machine = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      List<Path> zips = rounds.get(r);
      // Alternate which side goes first, so neither always follows the other's deletes.
      for (boolean f : r % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
        (f ? fleet : solo).add(converge(f, zips));
      }
      machine.add(last.get(true).machine());
      say(
          String.format(
              Locale.ROOT,
              "F1 round %d (wall/CPU s): one node %s (JIT %.2f, machine busy %.2f), fleet of 3"
                  + " %s (JIT %.2f, machine busy %.2f, A's creates done at %.2f)",
              r + 1,
              solo.get(r),
              last.get(false).jit(),
              last.get(false).machine(),
              fleet.get(r),
              last.get(true).jit(),
              last.get(true).machine(),
              last.get(true).creates()));
    }
    return row(
        "F1",
        String.format(
            Locale.ROOT,
            "%d small native plugins created on A one after another (file://) until A, B and C all"
                + " applied them, median of %d",
            rounds.get(0).size(),
            n),
        Sample.median(fleet),
        Sample.median(solo),
        "one node alone, same creates",
        machine);
  }

  private BenchRow f2(List<BenchZips.Made> rounds, int sizeMb, int n) throws Exception {
    say("== F2: one " + sizeMb + " MB plugin created on the origin, " + n + " rounds");
    List<Sample> fleet = new ArrayList<>();
    List<Sample> solo = new ArrayList<>();
    List<Double> machine = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      List<Path> zip = List.of(rounds.get(r).zip());
      for (boolean f : r % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
        (f ? fleet : solo).add(converge(f, zip));
      }
      machine.add(last.get(true).machine());
      say(
          String.format(
              Locale.ROOT,
              "F2 round %d (wall/CPU s): one node %s (JIT %.2f, machine busy %.2f), fleet of 3 %s"
                  + " (JIT %.2f, machine busy %.2f)",
              r + 1,
              solo.get(r),
              last.get(false).jit(),
              last.get(false).machine(),
              fleet.get(r),
              last.get(true).jit(),
              last.get(true).machine()));
    }
    return row(
        "F2",
        String.format(
            Locale.ROOT,
            "one %.0f MB native plugin (%d entries) created on A (file://) until A, B and C"
                + " applied it, median of %d",
            rounds.get(0).zipBytes() / 1e6,
            rounds.get(0).entries(),
            n),
        Sample.median(fleet),
        Sample.median(solo),
        "one node alone, same create",
        machine);
  }

  /**
   * Creates {@code zips} on the origin one after another and times from the first POST until every
   * node's row of each is applied; then deletes them, untimed, until every row is removed.
   */
  private Sample converge(boolean fleet, List<Path> zips) throws Exception {
    String origin = fleet ? "node-a" : SOLO;
    List<String> names = zips.stream().map(ParallelInstalls::name).toList();
    BenchHost.sync();
    double cpu = cpu(fleet);
    double jit = jit(fleet);
    double machine = BenchHost.machineBusy();
    long t0 = System.nanoTime();
    for (Path zip : zips) {
      create(origin, zip);
    }
    double creates = (System.nanoTime() - t0) / 1e9;
    awaitState(fleet, names, "applied");
    Sample s = new Sample((System.nanoTime() - t0) / 1e9, cpu(fleet) - cpu);
    last.put(fleet, new Round(jit(fleet) - jit, BenchHost.machineBusy() - machine, creates));
    if (fleet && names.size() == 1) {
      say("   attempts (from A's start, s): " + attempts(names.get(0)));
    }
    deleteAll(origin, names, fleet);
    return s;
  }

  /**
   * When each node's attempt of plugin {@code name} (its latest) started and ended, from the
   * database's clock, relative to the start of the origin's: a follower's starts at the commit it
   * applies, after anything it staged ahead.
   */
  private String attempts(String name) throws SQLException {
    try (PreparedStatement st =
        fleetDb.prepareStatement(
            "SELECT DISTINCT ON (node_id) node_id, extract(epoch FROM started_at),"
                + " extract(epoch FROM finished_at) FROM install_record"
                + " WHERE plugin_name = ? AND state = 'SUCCEEDED'"
                + " ORDER BY node_id, started_at DESC")) {
      st.setString(1, name);
      Map<String, double[]> spans = new java.util.TreeMap<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          spans.put(rs.getString(1), new double[] {rs.getDouble(2), rs.getDouble(3)});
        }
      }
      double start = spans.getOrDefault("node-a", new double[] {0, 0})[0];
      StringBuilder out = new StringBuilder();
      spans.forEach(
          (node, span) ->
              out.append(
                  String.format(
                      Locale.ROOT, "%s %.2f–%.2f  ", node, span[0] - start, span[1] - start)));
      return out.toString().strip();
    }
  }

  private void create(String origin, Path zip) throws Exception {
    HttpResponse<String> r =
        nodes
            .get(origin)
            .send(
                "POST",
                "/plugins/" + TYPE,
                "{\"name\":\""
                    + ParallelInstalls.name(zip)
                    + "\",\"file\":\"file://"
                    + zip
                    + "\"}");
    expect(r, 201, origin + ": create of " + zip.getFileName());
  }

  private void deleteAll(String origin, List<String> names, boolean fleet) throws Exception {
    for (String name : names) {
      expect(nodes.get(origin).send("DELETE", "/plugins/" + TYPE + "/" + name, null), 200, "drop");
    }
    awaitState(fleet, names, "removed");
  }

  /**
   * Polls the node_plugin rows of {@code names} every 10 ms until each node (3, or the lone one)
   * has each in {@code state}; fails at once on a failed or incompatible row.
   */
  private void awaitState(boolean fleet, List<String> names, String state) throws Exception {
    Connection c = fleet ? fleetDb : soloDb;
    int expected = names.size() * (fleet ? FLEET.size() : 1);
    long end = System.nanoTime() + LIMIT.toNanos();
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT state, count(*) FROM node_plugin WHERE plugin_type = ? AND name = ANY(?)"
                + " GROUP BY state")) {
      st.setString(1, TYPE);
      st.setArray(2, c.createArrayOf("varchar", names.toArray()));
      while (true) {
        Map<String, Integer> counts = new TreeMap<>();
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            counts.put(rs.getString(1), rs.getInt(2));
          }
        }
        if (counts.getOrDefault(state, 0) == expected) {
          return;
        }
        if (counts.containsKey("failed") || counts.containsKey("incompatible")) {
          throw new IllegalStateException("node_plugin rows: " + counts + " " + errors(c, names));
        }
        if (System.nanoTime() > end) {
          throw new IllegalStateException(
              "not every node has "
                  + names.size()
                  + " plugins "
                  + state
                  + " after "
                  + LIMIT
                  + ": "
                  + counts);
        }
        Thread.sleep(POLL_MS);
      }
    }
  }

  private static String errors(Connection c, List<String> names) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT node_id, name, state, error FROM node_plugin WHERE name = ANY(?)"
                + " AND state IN ('failed', 'incompatible') LIMIT 5")) {
      st.setArray(1, c.createArrayOf("varchar", names.toArray()));
      StringBuilder s = new StringBuilder();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          s.append(rs.getString(1))
              .append(' ')
              .append(rs.getString(2))
              .append(' ')
              .append(rs.getString(3))
              .append(": ")
              .append(rs.getString(4))
              .append("; ");
        }
      }
      return s.toString();
    }
  }

  // ------------------------------------------------------------------------------- F3

  /**
   * F3: the time from A's 201 until the last of B and C has the plugin {@code applied} in
   * node_plugin, the database polled every {@code F3_POLL_MS}.
   */
  private List<BenchRow> f3(List<Path> zips) throws Exception {
    say("== F3: " + zips.size() + " single creates on A, each until B and C applied it");
    double[] converge = new double[zips.size()];
    double[] origin = new double[zips.size()];
    try (PreparedStatement st =
        fleetDb.prepareStatement(
            "SELECT count(*) FROM node_plugin WHERE plugin_type = ? AND name = ?"
                + " AND node_id IN ('node-b', 'node-c') AND state = 'applied'")) {
      st.setString(1, TYPE);
      for (int i = 0; i < zips.size(); i++) {
        Path zip = zips.get(i);
        String name = ParallelInstalls.name(zip);
        st.setString(2, name);
        long t0 = System.nanoTime();
        create("node-a", zip);
        long t201 = System.nanoTime();
        long end = t201 + LIMIT.toNanos();
        long last;
        while (true) {
          try (ResultSet rs = st.executeQuery()) {
            rs.next();
            if (rs.getInt(1) == 2) {
              last = System.nanoTime();
              break;
            }
          }
          if (System.nanoTime() > end) {
            throw new IllegalStateException("B and C have not applied " + name + " after " + LIMIT);
          }
          Thread.sleep(F3_POLL_MS);
        }
        converge[i] = (last - t201) / 1e6;
        origin[i] = (t201 - t0) / 1e6;
        if ((i + 1) % 10 == 0) {
          say(
              String.format(
                  Locale.ROOT,
                  "F3 %d creates: this one A's 201 %.1f ms, then B and C applied %.1f ms later",
                  i + 1,
                  origin[i],
                  converge[i]));
        }
      }
    }
    List<String> names = zips.stream().map(ParallelInstalls::name).toList();
    awaitState(true, names, "applied");
    say("F3: every create applied on A, B and C; dropping them (untimed)");
    deleteAll("node-a", names, true);
    String what =
        "create on A → last of B, C `applied` in node_plugin (polled every "
            + F3_POLL_MS
            + " ms), %s of %d creates one after another";
    return List.of(
        latencyRow(String.format(Locale.ROOT, what, "p50", zips.size()), converge, origin, 50),
        latencyRow(String.format(Locale.ROOT, what, "p99", zips.size()), converge, origin, 99));
  }

  private static BenchRow latencyRow(String figure, double[] kpm, double[] base, int p) {
    double k = percentile(kpm, p);
    double b = percentile(base, p);
    return new BenchRow(
        "F3",
        figure,
        String.format(Locale.ROOT, "%.1f ms", k),
        String.format(Locale.ROOT, "%.1f ms: A's own POST → 201, same creates", b),
        String.format(Locale.ROOT, "%.2f×", k / b),
        "—",
        null,
        Double.NaN,
        Double.NaN);
  }

  /** Nearest rank. */
  static double percentile(double[] values, int p) {
    double[] v = values.clone();
    Arrays.sort(v);
    int rank = (int) Math.ceil(p / 100.0 * v.length);
    return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
  }

  // ------------------------------------------------------------------------------- helpers

  /**
   * A row of F1 or F2: the ratio of the medians. Its baseline also states two floors of the ratio
   * on this machine, the least wall time the fleet's work could take (its seconds over the cores)
   * divided by the lone node's wall time — the least ratio even with perfect overlap: one from the
   * fleet's CPU (its JVMs and PostgreSQL backends), one from the whole machine's busy time during
   * the fleet's rounds ({@code machine}, the kernel's file-system work included).
   */
  private BenchRow row(
      String id, String figure, Sample fleet, Sample solo, String base, List<Double> machine) {
    double ratio = fleet.wall() / solo.wall();
    int cores = Runtime.getRuntime().availableProcessors();
    double floor = fleet.cpu() / cores / solo.wall();
    double machineFloor =
        Sample.median(machine.stream().mapToDouble(Double::doubleValue).toArray())
            / cores
            / solo.wall();
    String capped =
        cpusPerNode > 0
            ? String.format(Locale.ROOT, "; every node capped at %.2f CPU", cpusPerNode)
            : "";
    return new BenchRow(
        id,
        figure,
        String.format(Locale.ROOT, "%.2f s", fleet.wall()),
        String.format(
            Locale.ROOT,
            "%.2f s %s%s; CPU floor on %d cores %.2f×, machine-busy floor %.2f×",
            solo.wall(),
            base,
            capped,
            cores,
            floor,
            machineFloor),
        String.format(Locale.ROOT, "%.2f×", ratio),
        String.format(Locale.ROOT, "≤ %.1f×", TARGET),
        ratio <= TARGET,
        fleet.cpu(),
        solo.cpu());
  }

  /**
   * CPU seconds so far of one side: its launcher JVMs and the PostgreSQL backends of its database.
   */
  private double cpu(boolean fleet) throws IOException {
    double sum = 0;
    for (Map.Entry<String, LauncherProcess> n : nodes.entrySet()) {
      if (n.getKey().equals(SOLO) != fleet) {
        sum += BenchHost.processCpu(n.getValue().pid());
      }
    }
    String database = fleet ? " kpm_fleet " : " kpm_solo ";
    for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
      if (p.info().commandLine().orElse("").contains(pgdata)) {
        for (ProcessHandle backend : p.children().toList()) {
          if (title(backend.pid()).contains(database)) {
            sum += BenchHost.processCpu(backend.pid());
          }
        }
      }
    }
    return sum;
  }

  /** CPU seconds so far of one side's JIT compiler threads (part of {@link #cpu}). */
  private double jit(boolean fleet) throws IOException {
    double sum = 0;
    for (Map.Entry<String, LauncherProcess> n : nodes.entrySet()) {
      if (n.getKey().equals(SOLO) != fleet) {
        sum += BenchHost.jitCpu(n.getValue().pid());
      }
    }
    return sum;
  }

  /** A process's title (its /proc cmdline, which PostgreSQL's backends set), or "". */
  private static String title(long pid) {
    try {
      return new String(
              Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
          .replace('\0', ' ');
    } catch (NoSuchFileException gone) {
      return "";
    } catch (IOException e) {
      return "";
    }
  }

  private HttpResponse<String> send(String id, String method, String path) {
    try {
      return nodes.get(id).send(method, path, null);
    } catch (Exception e) {
      throw new IllegalStateException(id + " " + method + " " + path + ": " + e, e);
    }
  }

  private static void awaitUntil(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("not " + what + " after 2 minutes");
      }
      Thread.sleep(100);
    }
  }

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

  private static boolean wants(String bench, String id) {
    return bench.equals("all") || Set.of(bench.split("[ ,]+")).contains(id);
  }

  private static void closeQuietly(Connection c) {
    try {
      if (c != null) {
        c.close();
      }
    } catch (SQLException ignored) {
      // the database stops next
    }
  }

  private static List<String> jvmOptions() {
    String opts = System.getenv().getOrDefault("KPM_JAVA_OPTS", "").trim();
    return opts.isEmpty() ? List.of() : List.of(opts.split("\\s+"));
  }

  private static double envDouble(String name) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? 0 : Double.parseDouble(v.trim());
  }

  private static int env(String name, int fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : Integer.parseInt(v.trim());
  }
}
