package dev.kpm.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.testing.Await;
import dev.kpm.testing.FixtureServer;
import dev.kpm.testing.LauncherProcess;
import dev.kpm.testing.Pause;
import dev.kpm.testing.ProbePlugins;
import dev.kpm.testing.TestDatabase;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Three kpm launchers — three JVMs, homes and ports — on one PostgreSQL, each in a mount namespace
 * of its own with a private {@code /tmp} (the portable SDKs' sockets are fixed {@code
 * /tmp/plugin_<name>.ipc} paths, so two nodes on one {@code /tmp} would take each other's): a
 * portable plugin created on one node runs on all three; a node killed with {@code kill -9} misses
 * changes, and when it starts again it is not ready until it has applied them; an {@code
 * install.sh} that fails only where an environment variable says so leaves that node failed with
 * its output and the others applied.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FleetLaunchersIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A private /tmp, then the JVM: unshare execs sh, sh execs java, so the pid stays java's. The
   * checkout is bound back into place over the new /tmp, so a checkout that lives under /tmp (a
   * clean clone in /tmp) stays visible to the node; /mnt holds it meanwhile, in this namespace
   * only.
   */
  private static final List<String> OWN_TMP =
      List.of(
          "unshare",
          "-m",
          "--propagation",
          "private",
          "sh",
          "-c",
          "r=\"$(pwd -P)\" && mount --bind \"$r\" /mnt"
              + " && mount -t tmpfs -o size=64m kpm-tmp /tmp"
              + " && mkdir -p \"$r\" && mount --bind /mnt \"$r\" && cd \"$r\" && exec \"$@\"",
          "sh");

  private Path dir;
  private TestDatabase.Coordinates db;
  private FixtureServer server;
  private final Map<String, LauncherProcess> nodes = new HashMap<>();
  private final Map<String, Path> homes = new HashMap<>();

  @BeforeAll
  void startFleet() throws Exception {
    dir = Files.createTempDirectory(Path.of("target"), "fleet-launchers-").toAbsolutePath();
    db = TestDatabase.fresh();
    server = new FixtureServer(Files.createDirectories(dir.resolve("served")));
    for (String id : List.of("node-a", "node-b", "node-c")) {
      nodes.put(id, launch(id, Map.of()).awaitReady());
    }
    for (String id : nodes.keySet()) {
      awaitReady(id);
    }
  }

  @AfterAll
  void stopFleet() throws Exception {
    for (LauncherProcess p : nodes.values()) {
      if (p.isAlive()) {
        p.stop();
      }
    }
    if (server != null) {
      server.close();
    }
  }

  private LauncherProcess launch(String id, Map<String, String> more) throws IOException {
    Path home = homes.computeIfAbsent(id, k -> folder(dir.resolve(k + "-home")));
    Map<String, String> env = new HashMap<>();
    env.put("DB_URL", db.url());
    env.put("DB_USER", db.user());
    env.put("DB_PASSWORD", db.password());
    env.put("KPM_NODE_ID", id);
    env.put("KPM_FLEET_HEARTBEAT", "PT0.5S");
    env.put("KPM_FLEET_DOWN_AFTER", "PT3S");
    env.put("KPM_FLEET_RECONCILE", "PT2S");
    if (id.equals("node-b")) {
      env.put("KPM_FLEET_TEST_REFUSE", "1"); // what the picky install.sh refuses on
    }
    env.putAll(more);
    return LauncherProcess.launch(
        OWN_TMP,
        home,
        LauncherProcess.freePort(),
        id + ".log",
        List.of("-Xmx256m"),
        env,
        LauncherProcess.Endpoint.HTTP);
  }

  private static Path folder(Path p) {
    try {
      return Files.createDirectories(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private HttpResponse<String> send(String id, String method, String path, String body) {
    try {
      return nodes.get(id).send(method, path, body);
    } catch (Exception e) {
      throw new IllegalStateException(id + " " + method + " " + path + ": " + e, e);
    }
  }

  private void awaitReady(String id) {
    Await.until(
        id + " ready", Await.LONG, () -> send(id, "GET", "/ready", null).statusCode() == 200);
  }

  private String state(String id, String type, String name) {
    return sql(
        "SELECT coalesce((SELECT state FROM node_plugin WHERE node_id = '"
            + id
            + "' AND plugin_type = '"
            + type
            + "' AND name = '"
            + name
            + "'), 'none')");
  }

  private String sql(String query) {
    try (var c = java.sql.DriverManager.getConnection(db.url(), db.user(), db.password());
        var st = c.createStatement();
        var rs = st.executeQuery(query)) {
      rs.next();
      return rs.getString(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private void awaitState(String id, String type, String name, String state) {
    Await.until(
        () -> id + " " + type + "/" + name + " " + state + ", is " + state(id, type, name),
        Await.LONG,
        () -> state(id, type, name).equals(state));
  }

  private String body(String name, String zip) {
    return "{\"name\":\"" + name + "\",\"file\":\"" + server.url(zip) + "\"}";
  }

  private String servedPortable(String name) throws IOException {
    Path zip = ProbePlugins.zip(dir.resolve("served"), name, "v1.0.0");
    return zip.getFileName().toString();
  }

  private JsonNode status(String id, String name) {
    HttpResponse<String> r = send(id, "GET", "/plugins/portables/" + name + "/status", null);
    try {
      return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The answer, or null while the node does not listen yet. */
  private static HttpResponse<String> answer(LauncherProcess p, String path) {
    try {
      return p.send("GET", path, null);
    } catch (java.net.ConnectException notYet) {
      return null;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean runs(String id, String name) {
    JsonNode s = status(id, name);
    return s != null && s.path("pid").asLong() > 0 && s.path("status").asText().equals("running");
  }

  @Test
  void aPortablePluginCreatedOnOneNodeRunsOnAllThreeEachOnItsOwnSocket() throws Exception {
    String zip = servedPortable("fleetprobe");
    HttpResponse<String> created =
        send("node-a", "POST", "/plugins/portables", body("fleetprobe", zip));
    assertEquals(201, created.statusCode(), created.body());
    for (String id : List.of("node-a", "node-b", "node-c")) {
      awaitState(id, "portables", "fleetprobe", "applied");
      Await.until(id + " runs fleetprobe", Await.LONG, () -> runs(id, "fleetprobe"));
    }
    long pidA = status("node-a", "fleetprobe").path("pid").asLong();
    long pidB = status("node-b", "fleetprobe").path("pid").asLong();
    assertTrue(pidA != pidB, "one process per node");
    assertTrue(ProcessHandle.of(pidB).map(ProcessHandle::isAlive).orElse(false));
    Await.until(
        "B's process status is recorded for the fleet",
        Await.LONG,
        () ->
            sql("SELECT coalesce(process->>'status', '') FROM node_plugin"
                    + " WHERE node_id = 'node-b' AND name = 'fleetprobe'")
                .equals("running"));

    assertEquals(200, send("node-c", "DELETE", "/plugins/portables/fleetprobe", null).statusCode());
    for (String id : List.of("node-a", "node-b", "node-c")) {
      awaitState(id, "portables", "fleetprobe", "removed");
    }
    assertFalse(ProcessHandle.of(pidB).map(ProcessHandle::isAlive).orElse(false), "B stopped it");
    assertFalse(Files.exists(homes.get("node-b").resolve("plugins/portable/fleetprobe")));
  }

  @Test
  void anInstallScriptThatFailsOnlyWhereItsEnvironmentSaysSoLeavesThatNodeFailed() {
    TestPlugins.zip(
        dir.resolve("served/picky.zip"),
        List.of(
            Entry.file("Picky.so", "so"),
            Entry.file("picky.yaml", "a: 1\n"),
            Entry.file(
                "install.sh",
                0100755,
                "#!/bin/sh\n"
                    + "if [ -n \"$KPM_FLEET_TEST_REFUSE\" ]; then\n"
                    + "  echo \"refused on this node\"; exit 4\n"
                    + "fi\n")));
    HttpResponse<String> created =
        send("node-c", "POST", "/plugins/sinks", body("picky", "picky.zip"));
    assertEquals(201, created.statusCode(), created.body());
    awaitState("node-a", "sinks", "picky", "applied");
    awaitState("node-b", "sinks", "picky", "failed");
    assertEquals("applied", state("node-c", "sinks", "picky"));
    String output =
        sql("SELECT output FROM node_plugin WHERE node_id = 'node-b' AND name = 'picky'");
    assertTrue(output.contains("refused on this node"), output);
    assertFalse(Files.exists(homes.get("node-b").resolve("plugins/sinks/Picky.so")));
    assertTrue(Files.exists(homes.get("node-a").resolve("plugins/sinks/Picky.so")));
  }

  @Test
  void aNodeKilledWhileChangesAreMadeConvergesBeforeItAnswersReady() throws Exception {
    TestPlugins.zip(
        dir.resolve("served/before.zip"),
        List.of(Entry.file("Before.so", "b"), Entry.file("before.yaml", "a: 1\n")));
    assertEquals(
        201, send("node-a", "POST", "/plugins/sources", body("before", "before.zip")).statusCode());
    awaitState("node-c", "sources", "before", "applied");

    assertEquals(137, nodes.get("node-c").kill(), "kill -9");
    TestPlugins.zip(
        dir.resolve("served/meanwhile.zip"),
        List.of(Entry.file("Meanwhile.so", "m"), Entry.file("meanwhile.yaml", "a: 1\n")));
    assertEquals(
        201,
        send("node-b", "POST", "/plugins/sources", body("meanwhile", "meanwhile.zip"))
            .statusCode());
    assertEquals(200, send("node-a", "DELETE", "/plugins/sources/before", null).statusCode());

    LauncherProcess c = launch("node-c", Map.of("KPM_TEST_PAUSE_AT", "applied:meanwhile"));
    nodes.put("node-c", c);
    Path home = homes.get("node-c");
    Pause.awaitReached(home, "applied", "meanwhile");
    HttpResponse<String> ready =
        Await.value("C answers at all", Await.LONG, () -> answer(c, "/ready"));
    assertEquals(503, ready.statusCode(), ready.body());
    assertTrue(ready.body().contains("converging with the fleet"), ready.body());
    Pause.release(home, "applied", "meanwhile");
    awaitReady("node-c");
    assertTrue(Files.exists(home.resolve("plugins/sources/Meanwhile.so")));
    assertFalse(Files.exists(home.resolve("plugins/sources/Before.so")), "the drop was applied");
    assertEquals("applied", state("node-c", "sources", "meanwhile"));
    assertEquals("removed", state("node-c", "sources", "before"));
  }
}
