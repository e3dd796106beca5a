package dev.kpm.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.Settings;
import dev.kpm.testing.Await;
import dev.kpm.testing.EmbeddedTomcat;
import dev.kpm.testing.FixtureServer;
import dev.kpm.testing.GoFixtures;
import dev.kpm.testing.Pause;
import dev.kpm.testing.TestDatabase;
import dev.kpm.testing.TestKpm;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Three kpm nodes on one PostgreSQL, each with its own home and HTTP port, through the real API: a
 * change made on any node is applied by the others from the archive stored in the database
 * (LISTEN/NOTIFY, the periodic reconcile as backstop); a node's own failure stays its own, with its
 * output; one name is created once fleet-wide; a node started later installs everything from the
 * database though the original URL is gone, and is not ready (nor takes changes) before; a node of
 * another architecture marks an amd64 plugin incompatible. Native plugins only: the portable SDKs'
 * fixed /tmp sockets need a /tmp per node, which the launcher fleet test gives.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FleetConvergenceIT {
  private Path dir;
  private TestDatabase.Coordinates db;
  private FixtureServer server;
  private Node a;
  private Node b;
  private Node c;
  private final List<Node> extra = new ArrayList<>();

  /** One kpm node and its HTTP port. */
  private record Node(String id, TestKpm kpm, EmbeddedTomcat http) implements AutoCloseable {
    HttpResponse<String> send(String method, String path, String body) {
      return http.send(method, path, body);
    }

    Path home() {
      return kpm.home();
    }

    String state(String type, String name) {
      return kpm.sqlString(
          "SELECT coalesce((SELECT state FROM node_plugin WHERE node_id = '"
              + id
              + "' AND plugin_type = '"
              + type
              + "' AND name = '"
              + name
              + "'), 'none')");
    }

    @Override
    public void close() {
      http.close();
      kpm.close();
    }
  }

  @BeforeAll
  void startFleet() throws IOException {
    dir = Files.createTempDirectory(Path.of("target"), "fleet-").toAbsolutePath();
    db = TestDatabase.fresh();
    server = new FixtureServer(Files.createDirectories(dir.resolve("served")));
    a = node("fleet-a", Map.of());
    b = node("fleet-b", Map.of());
    c = node("fleet-c", Map.of());
  }

  @AfterAll
  void stopFleet() {
    for (Node n : extra) {
      n.close();
    }
    for (Node n : List.of(a, b, c)) {
      if (n != null) {
        n.close();
      }
    }
    if (server != null) {
      server.close();
    }
  }

  private Node node(String id, Map<Settings.Key, String> more) {
    return node(id, more, home -> {});
  }

  private Node node(
      String id, Map<Settings.Key, String> more, java.util.function.Consumer<Path> prepare) {
    Map<Settings.Key, String> settings = new HashMap<>();
    settings.put(Settings.Key.NODE_ID, id);
    settings.put(Settings.Key.FLEET_HEARTBEAT, "PT0.5S");
    settings.put(Settings.Key.FLEET_DOWN_AFTER, "PT5S");
    settings.put(Settings.Key.FLEET_RECONCILE, "PT2S");
    settings.put(Settings.Key.FLEET_ARTIFACT_GRACE, "PT3S");
    settings.putAll(more);
    try {
      Path home = Files.createTempDirectory(dir, id + "-home-");
      prepare.accept(home);
      TestKpm kpm = TestKpm.start(home, db, settings);
      return new Node(id, kpm, EmbeddedTomcat.start(kpm.runtime()::mount));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A source plugin zip served over HTTP: {@code <Name>.so} (with {@code so}) and its yaml. */
  private String served(String zipName, List<Entry> entries) {
    TestPlugins.zip(dir.resolve("served").resolve(zipName), entries);
    return server.url(zipName);
  }

  /** Source {@code name} created on {@code origin} from a zip of {@code entries}, as it answers. */
  private CompletableFuture<HttpResponse<String>> creating(
      Node origin, String name, List<Entry> entries) {
    String url = served(name + ".zip", entries);
    return CompletableFuture.supplyAsync(
        () -> origin.send("POST", "plugins/sources", sourceBody(name, url)));
  }

  private String sourceBody(String name, String url) {
    return "{\"name\":\"" + name + "\",\"file\":\"" + url + "\"}";
  }

  private static String so(String name) {
    return Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }

  private static void awaitState(Node n, String type, String name, String state) {
    Await.until(
        () -> n.id() + " " + type + "/" + name + " " + state + ", is " + n.state(type, name),
        Await.LONG,
        () -> n.state(type, name).equals(state));
  }

  @Test
  void aCreateOnOneNodeIsAppliedOnTheOthersAndAnUpdateAndADeleteFollow() throws Exception {
    String v1 =
        served(
            "shared-v1.zip",
            List.of(Entry.file("Shared@v1.so", "one"), Entry.file("shared.yaml", "v: 1\n")));
    HttpResponse<String> created = a.send("POST", "plugins/sources", sourceBody("shared", v1));
    assertEquals(201, created.statusCode(), created.body());
    assertEquals("applied", a.state("sources", "shared"), "the origin applied it in its commit");
    for (Node n : List.of(b, c)) {
      awaitState(n, "sources", "shared", "applied");
      assertEquals("one", Files.readString(n.home().resolve("plugins/sources/Shared@v1.so")));
      assertEquals("v: 1\n", Files.readString(n.home().resolve("etc/sources/shared.yaml")));
      assertEquals(
          "{\"name\":\"shared\",\"version\":\"1\"}", n.http().get("plugins/sources/shared"));
    }

    String v2 =
        served(
            "shared-v2.zip",
            List.of(Entry.file("Shared@v2.so", "two"), Entry.file("shared.yaml", "v: 2\n")));
    HttpResponse<String> updated =
        c.send("PUT", "plugins/sources/shared", sourceBody("shared", v2));
    assertEquals(200, updated.statusCode(), updated.body());
    for (Node n : List.of(a, b)) {
      Await.until(
          n.id() + " has v2 only",
          Await.LONG,
          () ->
              Files.exists(n.home().resolve("plugins/sources/Shared@v2.so"))
                  && !Files.exists(n.home().resolve("plugins/sources/Shared@v1.so")));
      awaitState(n, "sources", "shared", "applied");
      assertEquals("v: 2\n", Files.readString(n.home().resolve("etc/sources/shared.yaml")));
    }
    // The files move before the row that records them commits: wait for the rows at v2's digest.
    Await.until(
        "A, B and C applied the digest the fleet wants",
        Await.LONG,
        () ->
            a.kpm()
                    .count(
                        "SELECT count(*) FROM node_plugin n JOIN plugin p ON p.type = n.plugin_type"
                            + " AND p.name = n.name WHERE p.name = 'shared'"
                            + " AND n.state = 'applied' AND n.sha256 = p.sha256"
                            + " AND n.node_id IN ('fleet-a', 'fleet-b', 'fleet-c')")
                == 3);

    HttpResponse<String> dropped = b.send("DELETE", "plugins/sources/shared", null);
    assertEquals(200, dropped.statusCode(), dropped.body());
    for (Node n : List.of(a, b, c)) {
      awaitState(n, "sources", "shared", "removed");
      assertFalse(Files.exists(n.home().resolve("plugins/sources/Shared@v2.so")), n.id());
      assertFalse(Files.exists(n.home().resolve("etc/sources/shared.yaml")), n.id());
      assertEquals(404, n.send("GET", "plugins/sources/shared", null).statusCode(), n.id());
    }
    assertEquals(
        2,
        a.kpm()
            .count(
                "SELECT count(*) FROM audit_event WHERE action = 'fleet.remove'"
                    + " AND plugin_name = 'shared' AND node_id IN ('fleet-a', 'fleet-c')"),
        "each follower recorded its removal");
    Await.until(
        "A, B and C recorded the generation they converged to",
        Await.LONG,
        () ->
            a.kpm()
                    .count(
                        "SELECT count(*) FROM fleet_node n, fleet_state s WHERE s.id = 1"
                            + " AND n.applied_generation = s.generation"
                            + " AND n.node_id IN ('fleet-a', 'fleet-b', 'fleet-c')")
                == 3);
  }

  @Test
  void anInstallScriptFailingOnOneNodeLeavesItFailedWithItsOutputAndTheOthersApplied() {
    String url = served("picky.zip", FleetFixtures.pickyOnlyFailingOnB());
    HttpResponse<String> created = a.send("POST", "plugins/sources", sourceBody("picky", url));
    assertEquals(201, created.statusCode(), created.body());
    awaitState(c, "sources", "picky", "applied");
    awaitState(b, "sources", "picky", "failed");
    String output =
        b.kpm()
            .sqlString(
                "SELECT output FROM node_plugin WHERE node_id = 'fleet-b' AND name = 'picky'");
    assertTrue(output.contains("no room on this node"), output);
    assertFalse(Files.exists(b.home().resolve("plugins/sources/Picky.so")), "B keeps nothing");
    assertTrue(Files.exists(c.home().resolve("plugins/sources/Picky.so")));
    assertEquals(
        201, a.send("POST", "plugins/sinks", sourceBody("after", afterZip())).statusCode());
    awaitState(b, "sinks", "after", "applied");
    assertEquals("failed", b.state("sources", "picky"), "a failure is not retried on its own");
  }

  private String afterZip() {
    return served("after.zip", List.of(Entry.file("After.so", "so")));
  }

  @Test
  void concurrentCreatesOfOneNameOnTwoNodesGiveExactlyOne201() {
    String url = served("race.zip", List.of(Entry.file("Race.so", "so")));
    CompletableFuture<HttpResponse<String>> onA =
        CompletableFuture.supplyAsync(
            () -> a.send("POST", "plugins/functions", sourceBody("race", url)));
    CompletableFuture<HttpResponse<String>> onB =
        CompletableFuture.supplyAsync(
            () -> b.send("POST", "plugins/functions", sourceBody("race", url)));
    List<Integer> statuses = List.of(onA.join().statusCode(), onB.join().statusCode());
    assertEquals(
        1,
        statuses.stream().filter(s -> s == 201).count(),
        statuses + " " + onA.join().body() + " " + onB.join().body());
    assertTrue(statuses.contains(400), statuses.toString());
    assertEquals(1, a.kpm().count("SELECT count(*) FROM plugin WHERE name = 'race'"));
    for (Node n : List.of(a, b, c)) {
      awaitState(n, "functions", "race", "applied");
    }
  }

  @Test
  void aNodeStartedAfterTheUrlIsGoneInstallsFromTheDatabaseAndIsNotReadyBefore() throws Exception {
    String url = served("kept.zip", List.of(Entry.file("Kept.so", "kept")));
    assertEquals(201, a.send("POST", "plugins/sinks", sourceBody("kept", url)).statusCode());
    Files.delete(dir.resolve("served").resolve("kept.zip"));
    assertEquals(404, Http404.of(url), "the original download is gone");

    Node d = node("fleet-d", Map.of(Settings.Key.TEST_PAUSE_AT, "applied:kept"));
    extra.add(d);
    Pause.awaitReached(d.home(), "applied", "kept");
    HttpResponse<String> ready = d.send("GET", "ready", null);
    assertEquals(503, ready.statusCode(), ready.body());
    assertTrue(ready.body().contains("converging with the fleet"), ready.body());
    HttpResponse<String> refused = d.send("POST", "plugins/sinks", sourceBody("other", afterZip()));
    assertEquals(503, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("converging with the fleet"), refused.body());

    Pause.release(d.home(), "applied", "kept");
    Await.until("D is ready", Await.LONG, () -> d.send("GET", "ready", null).statusCode() == 200);
    assertEquals("kept", Files.readString(d.home().resolve("plugins/sinks/Kept.so")));
    assertEquals("applied", d.state("sinks", "kept"));
  }

  @Test
  void aNodeOfAnotherArchitectureMarksAnAmd64PluginIncompatible() throws Exception {
    Node arm = node("fleet-arm", Map.of(Settings.Key.NODE_ARCH, "arm64"));
    extra.add(arm);
    Await.until(
        "the arm node is ready",
        Await.LONG,
        () -> arm.send("GET", "ready", null).statusCode() == 200);
    byte[] elf = Files.readAllBytes(Path.of("/bin/true")); // an amd64 ELF file, as a built .so
    String url =
        served(
            "elf.zip",
            List.of(new Entry("Elf.so", elf, 0100644), Entry.file("elf.yaml", "a: 1\n")));
    assertEquals(201, a.send("POST", "plugins/sources", sourceBody("elf", url)).statusCode());
    awaitState(arm, "sources", "elf", "incompatible");
    String why =
        a.kpm()
            .sqlString(
                "SELECT error FROM node_plugin WHERE node_id = 'fleet-arm' AND name = 'elf'");
    assertTrue(why.contains("built for amd64") && why.contains("arm64"), why);
    assertFalse(Files.exists(arm.home().resolve("plugins/sources/Elf.so")));
    awaitState(b, "sources", "elf", "applied");
    assertEquals(
        200, arm.send("GET", "ready", null).statusCode(), "incompatible is not being behind");
  }

  @Test
  void dataInitJsonIsImportedOncePerFleetAndReachesEveryNode() {
    String url =
        served(
            "seeded.zip",
            List.of(Entry.file("Seeded.so", "s"), Entry.file("seeded.yaml", "a: 1\n")));
    String ruleset =
        "{\"nativePlugins\":{\"sinks_seeded\":\"{\\\"name\\\":\\\"seeded\\\",\\\"file\\\":\\\""
            + url
            + "\\\",\\\"shellParas\\\":[]}\"},"
            + "\"streams\":{\"demo\":\"CREATE STREAM demo () WITH (DATASOURCE=\\\"x\\\")\"}}";
    java.util.function.Consumer<Path> seeded =
        home -> {
          try {
            Files.writeString(
                Files.createDirectories(home.resolve("data")).resolve("init.json"), ruleset);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        };
    Node e = node("fleet-e", Map.of(), seeded);
    extra.add(e);
    awaitState(e, "sinks", "seeded", "applied");
    awaitState(a, "sinks", "seeded", "applied");
    Node f = node("fleet-f", Map.of(), seeded);
    extra.add(f);
    awaitState(f, "sinks", "seeded", "applied");
    Await.until("F is ready", Await.LONG, () -> f.send("GET", "ready", null).statusCode() == 200);
    // ok is false: the streams section is not kpm's, and is reported as not imported.
    Await.until(
        () ->
            "claimed and imported by the first node only: "
                + a.kpm().sqlString("SELECT node_id || '|' || ok FROM fleet_init"),
        Await.LONG,
        () ->
            "fleet-e|false"
                .equals(a.kpm().sqlString("SELECT node_id || '|' || ok FROM fleet_init")));
    assertEquals(
        1,
        a.kpm()
            .count(
                "SELECT count(*) FROM audit_event WHERE action = 'plugin.create'"
                    + " AND plugin_name = 'seeded'"),
        "created once, fleet-wide");
    // The import at E's start is the fleet's last import: every node's status says so.
    String demo = "\"demo\":\"" + dev.kpm.install.DataTransfer.NOT_IMPORTED + "\"";
    for (Node n : List.of(e, f, a)) {
      Await.until(
          () -> n.id() + "'s import status: " + n.http().get("data/import/status"),
          Await.LONG,
          () -> n.http().get("data/import/status").contains(demo));
    }
  }

  @Test
  void anArchiveThatNoPluginAndNoNodeUsesAnyMoreIsCollected() {
    String v1 = served("gc-v1.zip", List.of(Entry.file("Gc@v1.so", "1")));
    assertEquals(201, a.send("POST", "plugins/sinks", sourceBody("gc", v1)).statusCode());
    String first = a.kpm().sqlString("SELECT sha256 FROM plugin WHERE name = 'gc'");
    assertEquals(1, a.kpm().count("SELECT count(*) FROM artifact WHERE sha256 = '" + first + "'"));
    awaitState(b, "sinks", "gc", "applied");
    String v2 = served("gc-v2.zip", List.of(Entry.file("Gc@v2.so", "2")));
    assertEquals(200, a.send("PUT", "plugins/sinks/gc", sourceBody("gc", v2)).statusCode());
    Await.until(
        "the first archive is collected once every node moved on",
        Await.LONG,
        () -> a.kpm().count("SELECT count(*) FROM artifact WHERE sha256 = '" + first + "'") == 0);
    String second = a.kpm().sqlString("SELECT sha256 FROM plugin WHERE name = 'gc'");
    assertEquals(
        1,
        a.kpm().count("SELECT count(*) FROM artifact WHERE sha256 = '" + second + "'"),
        "the archive in use stays");
  }

  @Test
  void aNodeWhoseEngineWouldNotLoadAPluginMarksItIncompatibleAndOneWhoseEngineWouldAppliesIt()
      throws Exception {
    Node older = engineNode("fleet-engine-v1", GoFixtures.HOST);
    Node newer = engineNode("fleet-engine-v2", GoFixtures.HOST_V2);
    byte[] so = Files.readAllBytes(GoFixtures.get(GoFixtures.PLUGIN_OK)); // built for HOST
    String url = served("gofn.zip", List.of(new Entry("Gofn@v1.0.0.so", so, 0100755)));
    assertEquals(201, a.send("POST", "plugins/functions", sourceBody("gofn", url)).statusCode());
    awaitState(older, "functions", "gofn", "applied");
    awaitState(newer, "functions", "gofn", "incompatible");
    String why =
        a.kpm()
            .sqlString(
                "SELECT error FROM node_plugin WHERE node_id = 'fleet-engine-v2'"
                    + " AND name = 'gofn'");
    assertTrue(why.contains("different version of package"), why);
    assertFalse(Files.exists(newer.home().resolve("plugins/functions/Gofn@v1.0.0.so")));
    assertTrue(Files.exists(older.home().resolve("plugins/functions/Gofn@v1.0.0.so")));
  }

  /** A node checking native plugins against a copy of the Go fixture engine {@code host}. */
  private Node engineNode(String id, String host) throws IOException {
    Path engine = Files.createDirectories(dir.resolve(id + "-engine")).resolve("kuiperd");
    Files.copy(GoFixtures.get(host), engine, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
    Node n =
        node(
            id,
            Map.of(
                Settings.Key.ENGINE_BINARY,
                engine.toString(),
                Settings.Key.ENGINE_CHECK,
                "enforce"));
    extra.add(n);
    return n;
  }

  @Test
  void aPluginInAHomeThatNoNodeRecordedIsAdoptedThereNotInstalledAgain() throws Exception {
    String url =
        served(
            "adoptee.zip",
            List.of(Entry.file("Adoptee.so", "a"), Entry.file("adoptee.yaml", "v: 1\n")));
    HttpResponse<String> created = a.send("POST", "plugins/sources", sourceBody("adoptee", url));
    assertEquals(201, created.statusCode(), created.body());
    awaitState(b, "sources", "adoptee", "applied");
    awaitState(c, "sources", "adoptee", "applied");
    String installs =
        "SELECT count(*) FROM install_record WHERE plugin_name = 'adoptee' AND node_id = 'fleet-b'";
    long before = b.kpm().count(installs);
    // Every running node idle (converged to the generation, so no pass runs until a change is
    // announced): none adopts it before B is asked.
    Await.until(
        "every running node converged to the fleet's generation",
        Await.LONG,
        () ->
            a.kpm()
                    .count(
                        "SELECT count(*) FROM fleet_node n, fleet_state s WHERE s.id = 1"
                            + " AND n.applied_generation <> s.generation"
                            + " AND n.heartbeat_at > now() - interval '3 seconds'")
                == 0);
    // As after an upgrade from before nodes recorded what they applied: the files, no rows.
    a.kpm().sql("DELETE FROM node_plugin WHERE plugin_type = 'sources' AND name = 'adoptee'");

    HttpResponse<String> asked = b.send("POST", "fleet/nodes/fleet-b/reconcile", null);
    assertEquals(200, asked.statusCode(), asked.body());
    awaitState(b, "sources", "adoptee", "applied");
    assertEquals(before, b.kpm().count(installs), "B recorded the files it had, installed nothing");
    assertEquals("a", Files.readString(b.home().resolve("plugins/sources/Adoptee.so")));
  }

  /** A node whose creates of {@code big} and {@code lost} pause before their commit. */
  private Node pausingOrigin() {
    Node e =
        node(
            "fleet-e",
            Map.of(
                Settings.Key.TEST_PAUSE_AT,
                "moved:big,extracted:lost,stored:early,stored:cancelled"));
    extra.add(e);
    return e;
  }

  /**
   * The staging folder of {@code n} (below {@code .kpm/staging}) that holds {@code rel} of the
   * home, staged ahead of a commit, once there is one.
   */
  private static Path awaitStaged(Node n, String rel) {
    return Await.value(
        () -> n.id() + " staged " + rel + " ahead",
        Await.LONG,
        () -> {
          try (var folders = Files.list(n.home().resolve(".kpm/staging"))) {
            return folders
                .filter(f -> Files.exists(f.resolve("home").resolve(rel)))
                .findFirst()
                .orElse(null);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  private static long stagingFolders(Node n) {
    try (var folders = Files.list(n.home().resolve(".kpm/staging"))) {
      return folders.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aLargeArchiveIsStagedOnTheOtherNodesBeforeItsOriginCommitsAndTheirApplyGoesOnFromThere()
      throws Exception {
    Node e = pausingOrigin();
    Entry big = Entry.random("Big.so", 2 << 20);
    CompletableFuture<HttpResponse<String>> created =
        creating(e, "big", List.of(big, Entry.file("big.yaml", "v: 1\n")));
    Pause.awaitReached(e.home(), "moved", "big");
    // E has stored the archive but not committed: B and C fetched and extracted it meanwhile,
    // into staging folders of their own, and nothing of it is in their homes yet.
    Map<String, Path> staged = new HashMap<>();
    for (Node n : List.of(b, c)) {
      // The yaml is the zip's last entry: once it is there, the .so before it is complete.
      Path folder = awaitStaged(n, "etc/sources/big.yaml");
      staged.put(n.id(), folder);
      assertTrue(
          java.util.Arrays.equals(
              big.content(), Files.readAllBytes(folder.resolve("home/plugins/sources/Big.so"))),
          n.id());
      assertFalse(Files.exists(n.home().resolve("plugins/sources/Big.so")), n.id());
      assertEquals("none", n.state("sources", "big"), n.id());
    }
    Pause.release(e.home(), "moved", "big");
    HttpResponse<String> answer = created.join();
    assertEquals(201, answer.statusCode(), answer.body());
    for (Node n : List.of(a, b, c)) {
      awaitState(n, "sources", "big", "applied");
      assertTrue(
          java.util.Arrays.equals(
              big.content(), Files.readAllBytes(n.home().resolve("plugins/sources/Big.so"))),
          n.id());
    }
    for (Node n : List.of(b, c)) {
      // The apply went on in the folder staged ahead (its record names it), and removed it.
      assertEquals(
          1,
          n.kpm()
              .count(
                  "SELECT count(*) FROM install_record WHERE node_id = '"
                      + n.id()
                      + "' AND plugin_name = 'big' AND fleet_apply AND state = 'SUCCEEDED'"
                      + " AND staging_dir = '"
                      + staged.get(n.id())
                      + "'"),
          n.id());
      assertFalse(Files.exists(staged.get(n.id())), n.id());
    }
  }

  @Test
  void withOtherNodesLiveALargeArchiveIsStoredBeforeItsOriginExtractsItAndTheyStageItMeanwhile()
      throws Exception {
    Node e = pausingOrigin();
    Entry early = Entry.random("Early.so", 2 << 20);
    CompletableFuture<HttpResponse<String>> created =
        creating(e, "early", List.of(early, Entry.file("early.yaml", "v: 1\n")));
    String sha =
        java.util.HexFormat.of()
            .formatHex(
                java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(dir.resolve("served").resolve("early.zip"))));
    // E paused after its store, before its extraction (the install's own thread holds there).
    Pause.awaitReached(e.home(), "stored", "early");
    assertEquals(
        1,
        a.kpm().count("SELECT count(*) FROM artifact WHERE complete AND sha256 = '" + sha + "'"));
    HttpResponse<String> jobs = e.send("GET", "jobs?state=running", null);
    assertEquals(200, jobs.statusCode(), jobs.body());
    assertTrue(
        jobs.body().contains("\"name\":\"early\"") && jobs.body().contains("\"phase\":\"storing\""),
        jobs.body());
    for (Node n : List.of(b, c)) {
      Path folder = awaitStaged(n, "etc/sources/early.yaml");
      assertTrue(
          java.util.Arrays.equals(
              early.content(), Files.readAllBytes(folder.resolve("home/plugins/sources/Early.so"))),
          n.id());
    }
    // ... while E has extracted nothing of it yet.
    try (var folders = Files.list(e.home().resolve(".kpm/staging"))) {
      assertEquals(
          List.of(),
          folders.filter(f -> Files.exists(f.resolve("home/plugins/sources/Early.so"))).toList());
    }
    Pause.release(e.home(), "stored", "early");
    HttpResponse<String> answer = created.join();
    assertEquals(201, answer.statusCode(), answer.body());
    for (Node n : List.of(e, a, b, c)) {
      awaitState(n, "sources", "early", "applied");
    }
  }

  @Test
  void aJobCancelledWhileItsArchiveIsStoredFirstLeavesNothingOnAnyNode() throws Exception {
    Node e = pausingOrigin();
    long before = stagingFolders(b);
    CompletableFuture<HttpResponse<String>> created =
        creating(
            e,
            "cancelled",
            List.of(Entry.random("Cancelled.so", 2 << 20), Entry.file("cancelled.yaml", "v: 1\n")));
    Pause.awaitReached(e.home(), "stored", "cancelled");
    awaitStaged(b, "etc/sources/cancelled.yaml");
    HttpResponse<String> running = e.send("GET", "jobs?state=running", null);
    java.util.regex.Matcher job =
        java.util.regex.Pattern.compile("\\{\"id\":(\\d+),[^}]*\"name\":\"cancelled\"")
            .matcher(running.body());
    assertTrue(job.find(), running.body());
    HttpResponse<String> cancel = e.send("DELETE", "jobs/" + job.group(1), null);
    assertEquals(200, cancel.statusCode(), cancel.body());
    HttpResponse<String> answer = created.join();
    assertEquals(400, answer.statusCode(), answer.body());
    assertTrue(answer.body().contains("job " + job.group(1) + " was cancelled"), answer.body());
    // The store was announced: the others are told to drop what they staged, and do.
    Await.until("B dropped what it staged ahead", Await.LONG, () -> stagingFolders(b) == before);
    for (Node n : List.of(e, a, b, c)) {
      assertEquals("none", n.state("sources", "cancelled"), n.id());
      assertFalse(Files.exists(n.home().resolve("plugins/sources/Cancelled.so")), n.id());
    }
    assertEquals(0, a.kpm().count("SELECT count(*) FROM plugin WHERE name = 'cancelled'"));
  }

  @Test
  void whatWasStagedAheadForAChangeThatFailsOnItsOriginIsDroppedAndNothingIsInstalled() {
    Node e = pausingOrigin();
    long before = stagingFolders(b);
    CompletableFuture<HttpResponse<String>> created =
        creating(
            e,
            "lost",
            List.of(
                Entry.random("Lost.so", 2 << 20),
                Entry.file("lost.yaml", "v: 1\n"),
                Entry.file("install.sh", 0100755, "#!/bin/sh\necho refused here; exit 4\n")));
    Pause.awaitReached(e.home(), "extracted", "lost");
    awaitStaged(b, "plugins/sources/Lost.so");
    Pause.release(e.home(), "extracted", "lost");
    HttpResponse<String> answer = created.join();
    assertEquals(400, answer.statusCode(), answer.body());
    assertTrue(answer.body().contains("exit status 4"), answer.body());
    Await.until("B dropped what it staged ahead", Await.LONG, () -> stagingFolders(b) == before);
    assertEquals("none", b.state("sources", "lost"));
    assertFalse(Files.exists(b.home().resolve("plugins/sources/Lost.so")));
    assertFalse(Files.exists(b.home().resolve("etc/sources/lost.yaml")));
    assertEquals(0, a.kpm().count("SELECT count(*) FROM plugin WHERE name = 'lost'"));
  }

  @Test
  void stopOneStopsOnlyTheNodeThatReceivedIt() {
    String url = served("stopper.zip", List.of(Entry.file("Stopper.so", "s")));
    assertEquals(201, a.send("POST", "plugins/sinks", sourceBody("stopper", url)).statusCode());
    awaitState(c, "sinks", "stopper", "applied");
    int before = b.kpm().stopRequests().get();
    HttpResponse<String> dropped = b.send("DELETE", "plugins/sinks/stopper?stop=1", null);
    assertEquals(200, dropped.statusCode(), dropped.body());
    awaitState(a, "sinks", "stopper", "removed");
    awaitState(c, "sinks", "stopper", "removed");
    assertEquals(before + 1, b.kpm().stopRequests().get(), "B was asked to stop");
    assertEquals(0, a.kpm().stopRequests().get(), "A was not");
    assertEquals(0, c.kpm().stopRequests().get(), "C was not");
  }

  @Test
  void anImportOnOneNodeConvergesTheFleet() {
    String url =
        served(
            "imported.zip",
            List.of(Entry.file("Imported.so", "i"), Entry.file("imported.yaml", "a: 1\n")));
    String ruleset =
        "{\"nativePlugins\":{\"sources_imported\":\"{\\\"name\\\":\\\"imported\\\","
            + "\\\"file\\\":\\\""
            + url
            + "\\\",\\\"shellParas\\\":[]}\"}}";
    String body = "{\"content\":\"" + ruleset.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
    HttpResponse<String> imported = b.send("POST", "data/import?partial=1", body);
    assertEquals(200, imported.statusCode(), imported.body());
    for (Node n : List.of(a, b, c)) {
      awaitState(n, "sources", "imported", "applied");
    }

    // Behind one load balancer the status read may reach another node than the import did.
    String missing = server.url("no-such.zip");
    String failing =
        "{\"nativePlugins\":{\"sinks_lost\":\"{\\\"name\\\":\\\"lost\\\","
            + "\\\"file\\\":\\\""
            + missing
            + "\\\",\\\"shellParas\\\":[]}\"}}";
    String failingBody =
        "{\"content\":\"" + failing.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
    HttpResponse<String> partly = b.send("POST", "data/import?partial=1", failingBody);
    String status = b.http().get("data/import/status");
    assertTrue(status.contains("sinks_lost"), status);
    assertTrue(status.contains("404"), status);
    for (Node n : List.of(a, c)) {
      assertEquals(status, n.http().get("data/import/status"), n.id() + " answers B's status");
    }
    assertTrue(partly.body().contains("sinks_lost"), partly.body());
  }

  /** The status of a plain GET. */
  private static final class Http404 {
    static int of(String url) {
      try {
        return java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                HttpResponse.BodyHandlers.discarding())
            .statusCode();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
