package dev.kpm.api;

import static dev.kpm.api.NativeTestSupport.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.Settings;
import dev.kpm.testing.ApiTest;
import dev.kpm.testing.Probe;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code ?dryRun=true} on every create, update and delete (docs/api.md §8.9), through the real API
 * on PostgreSQL: each dry run is followed by the real call, and what the dry run said would change
 * is compared with what the real call changed — files on disk, symbols, the process — while the dry
 * run itself changed nothing on disk or in the registry.
 */
class DryRunIT extends ApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NOTE =
      "dry run: nothing was changed; install.sh was not run and no process was started";

  @Override
  protected Map<Settings.Key, String> settings() {
    return Map.of(Settings.Key.HANDSHAKE_TIMEOUT, "PT20S");
  }

  /** A call; {@code path} may end in one {@code ?name=value} query. */
  private Response send(String method, String path, String body) {
    jakarta.ws.rs.client.WebTarget t = target(path.replaceFirst("\\?.*", ""));
    int q = path.indexOf('?');
    if (q >= 0) {
      String[] kv = path.substring(q + 1).split("=", 2);
      t = t.queryParam(kv[0], kv[1]);
    }
    return body == null
        ? t.request().method(method)
        : t.request().method(method, Entity.entity(body, MediaType.APPLICATION_JSON));
  }

  private static String body(String name, Path zip) {
    return "{\"name\":\"" + name + "\",\"file\":\"file://" + zip + "\"}";
  }

  private static JsonNode json(Response r) {
    String text = r.readEntity(String.class);
    assertEquals(200, r.getStatus(), text);
    assertTrue(r.getMediaType().toString().startsWith("application/json"), r.getMediaType() + "");
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  private static List<String> list(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      array.forEach(n -> out.add(n.asText()));
    }
    return out;
  }

  /** Every path below the home (folders too) with the digest of each file's content. */
  private Map<String, String> disk() {
    Path home = kpm.home();
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(home)) {
      for (Path p : walk.toList()) {
        String rel = home.relativize(p).toString();
        out.put(rel, Files.isRegularFile(p) ? digest(Files.readAllBytes(p)) : "dir");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static String digest(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The registry's rows: plugins, symbols, portable metadata and install records. */
  private String registry() {
    StringBuilder out = new StringBuilder();
    for (String table : List.of("plugin", "function_symbol", "portable_meta", "install_record")) {
      out.append(table)
          .append(':')
          .append(
              kpm.sqlString(
                  "select coalesce(string_agg(t::text, '|' order by t::text), '') from "
                      + table
                      + " t"))
          .append('\n');
    }
    return out.toString();
  }

  private record State(Map<String, String> disk, String registry) {}

  private State state() {
    return new State(disk(), registry());
  }

  /**
   * The plugin files (relative to the home) added, replaced and removed between two states; kpm's
   * own bookkeeping below {@code .kpm/} (such as its record of child processes) is not a plugin's.
   */
  private static List<List<String>> changes(State before, State after) {
    TreeSet<String> added = new TreeSet<>();
    TreeSet<String> replaced = new TreeSet<>();
    TreeSet<String> removed = new TreeSet<>();
    after.disk.forEach(
        (path, hash) -> {
          if (hash.equals("dir") || path.startsWith(".kpm/")) {
            return;
          }
          String was = before.disk.get(path);
          if (was == null) {
            added.add(path);
          } else if (!was.equals(hash)) {
            replaced.add(path);
          }
        });
    before.disk.forEach(
        (path, hash) -> {
          if (!hash.equals("dir") && !path.startsWith(".kpm/") && !after.disk.containsKey(path)) {
            removed.add(path);
          }
        });
    return List.of(List.copyOf(added), List.copyOf(replaced), List.copyOf(removed));
  }

  private static List<String> sorted(JsonNode array) {
    return List.copyOf(new TreeSet<>(list(array)));
  }

  /** Asserts the dry run named exactly the files the real call then changed. */
  private static void assertSameFiles(JsonNode plan, State before, State after) {
    List<List<String>> real = changes(before, after);
    assertEquals(real.get(0), sorted(plan.get("added")), "added " + plan);
    assertEquals(real.get(2), sorted(plan.get("removed")), "removed " + plan);
    // A replaced file whose content happens to be equal is still replaced by the real call.
    assertTrue(sorted(plan.get("replaced")).containsAll(real.get(1)), "replaced " + plan);
  }

  private JsonNode dryRun(String method, String path, String body) {
    State before = state();
    JsonNode plan = json(send(method, path + "?dryRun=true", body));
    assertEquals(before, state(), "a dry run changed the home or the registry: " + plan);
    assertTrue(plan.get("dryRun").asBoolean());
    assertEquals(NOTE, plan.get("note").asText());
    return plan;
  }

  @Test
  void aNativeCreateUpdateAndDeleteDoWhatTheirDryRunsSaid() {
    Path v1 = fixtures.resolve("v1");
    Path v2 = fixtures.resolve("v2");
    try {
      Files.createDirectories(v1);
      Files.createDirectories(v2);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String create = body("random", TestPlugins.zip("source-complete", v1));
    JsonNode plan = dryRun("POST", "plugins/sources", create);
    assertEquals("create", plan.get("action").asText());
    assertEquals("sources", plan.get("type").asText());
    assertEquals("random", plan.get("name").asText());
    assertEquals("v1.0.0", plan.get("versionAfter").asText());
    assertEquals(64, plan.get("sha256").asText().length());
    assertTrue(plan.get("restartNeeded").asBoolean());
    assertFalse(plan.get("installScript").asBoolean());
    assertEquals(List.of(), list(plan.get("replaced")));
    State before = state();
    assertEquals(201, send("POST", "plugins/sources", create).getStatus());
    assertSameFiles(plan, before, state());

    String update = body("random", TestPlugins.zip("source-v2", v2));
    plan = dryRun("PUT", "plugins/sources/random", update);
    assertEquals("update", plan.get("action").asText());
    assertEquals("v1.0.0", plan.get("versionBefore").asText());
    assertEquals("v2.0.0", plan.get("versionAfter").asText());
    assertFalse(list(plan.get("removed")).isEmpty(), "v2 drops v1's extra files: " + plan);
    before = state();
    assertEquals(200, send("PUT", "plugins/sources/random", update).getStatus());
    assertSameFiles(plan, before, state());

    plan = dryRun("DELETE", "plugins/sources/random", null);
    assertEquals("delete", plan.get("action").asText());
    assertEquals("v2.0.0", plan.get("versionBefore").asText());
    before = state();
    assertEquals(200, send("DELETE", "plugins/sources/random", null).getStatus());
    assertSameFiles(plan, before, state());
  }

  @Test
  void aFunctionPluginsDryRunsNameTheUdfsTheRealCallsRegisterAndRemove() {
    Path zip = TestPlugins.zip(fixtures.resolve("Fx.zip"), List.of(Entry.file("Fx.so", "so")));
    String create =
        "{\"name\":\"fx\",\"file\":\"file://" + zip + "\",\"functions\":[\"fx1\",\"fx2\"]}";
    JsonNode plan = dryRun("POST", "plugins/functions", create);
    assertEquals(List.of("fx1", "fx2"), list(plan.get("symbolsRegistered")));
    assertEquals(201, send("POST", "plugins/functions", create).getStatus());
    assertEquals(200, target("plugins/udfs/fx2").request().get().getStatus());

    String update =
        "{\"name\":\"fx\",\"file\":\"file://" + zip + "\",\"functions\":[\"fx1\",\"fx3\"]}";
    plan = dryRun("PUT", "plugins/functions/fx", update);
    assertEquals(List.of("fx3"), list(plan.get("symbolsRegistered")));
    assertEquals(List.of("fx2"), list(plan.get("symbolsRemoved")));
    assertEquals(200, send("PUT", "plugins/functions/fx", update).getStatus());
    assertEquals(200, target("plugins/udfs/fx3").request().get().getStatus());
    assertEquals(404, target("plugins/udfs/fx2").request().get().getStatus());

    plan = dryRun("DELETE", "plugins/functions/fx", null);
    assertEquals(List.of("fx1", "fx3"), list(plan.get("symbolsRemoved")));
    assertEquals(200, send("DELETE", "plugins/functions/fx", null).getStatus());
    assertEquals(404, target("plugins/udfs/fx1").request().get().getStatus());
  }

  @Test
  void aDryRunSaysInstallShWouldRunAndDoesNotRunIt() {
    Path zip = TestPlugins.zip("install-script-records-args", fixtures);
    String create = "{\"name\":\"echo\",\"file\":\"file://" + zip + "\",\"shellParas\":[\"x\"]}";
    JsonNode plan = dryRun("POST", "plugins/functions", create);
    assertTrue(plan.get("installScript").asBoolean(), plan.toString());
    State before = state();
    assertEquals(201, send("POST", "plugins/functions", create).getStatus());
    State after = state();
    // The real call ran the script, which wrote files of its own: they are its effect, which a
    // dry run does not guess; every file the archive puts was announced.
    assertTrue(
        changes(before, after).get(0).containsAll(sorted(plan.get("added"))),
        plan + " vs " + changes(before, after));
  }

  @Test
  void aDryRunFailsAsTheRealCallWouldAndLeavesNothing() {
    State before = state();
    Response bad =
        send(
            "POST",
            "plugins/sinks?dryRun=true",
            "{\"name\":\"nope\",\"file\":\"file:///nonexistent/x.zip\"}");
    Response real =
        send("POST", "plugins/sinks", "{\"name\":\"nope\",\"file\":\"file:///nonexistent/x.zip\"}");
    String badText = bad.readEntity(String.class);
    assertEquals(400, bad.getStatus(), badText);
    assertEquals(real.readEntity(String.class), badText);
    assertEquals(before.disk, state().disk);
    assertEquals(404, send("DELETE", "plugins/sinks/nope?dryRun=true", null).getStatus());
    assertError(
        send("DELETE", "plugins/sinks/nope?dryRun=yes", null),
        400,
        "invalid dryRun yes: expected true or false");
  }

  @Test
  void aDryRunIsAuditedAsADryRunOfTheChange() {
    Path zip =
        TestPlugins.zip(fixtures.resolve("Audited.zip"), List.of(Entry.file("Audited.so", "so")));
    long before = kpm.count("select count(*) from audit_event where action = 'plugin.dry-run'");
    dryRun("POST", "plugins/sinks", body("audited", zip));
    assertEquals(
        before + 1, kpm.count("select count(*) from audit_event where action = 'plugin.dry-run'"));
    assertEquals(
        "plugin.create: " + NOTE,
        kpm.sqlString(
            "select detail from audit_event where action = 'plugin.dry-run' order by seq desc limit 1"));
    assertEquals(
        0,
        kpm.count(
            "select count(*) from audit_event where action = 'plugin.create' and plugin_name = 'audited'"));
  }

  private Path probeZip(String version, String functions) throws IOException {
    byte[] exe = Files.readAllBytes(Probe.binary());
    return TestPlugins.zip(
        fixtures.resolve("probe-" + version + ".zip"),
        List.of(
            Entry.file(
                "probe.json",
                "{\"version\":\""
                    + version
                    + "\",\"language\":\"go\",\"executable\":\"probe\","
                    + "\"sources\":[\"counter\"],\"sinks\":[\"print\"],\"functions\":"
                    + functions
                    + "}"),
            new Entry("probe", exe, 0100644),
            Entry.file("sources/counter.yaml", "default:\n  interval: 100\n"),
            Entry.file("sinks/print.json", "{}")));
  }

  private String status(String name) {
    Response r = target("plugins/portables/" + name + "/status").request().get();
    String text = r.readEntity(String.class);
    return r.getStatus() + " " + text;
  }

  @Test
  void aPortableDryRunStartsNoProcessAndNamesTheProcessAndSymbolsTheRealCallChanges()
      throws Exception {
    String create = body("probe", probeZip("v1.0.0", "[\"echo\"]"));
    JsonNode plan = dryRun("POST", "plugins/portables", create);
    assertEquals("portables", plan.get("type").asText());
    assertEquals("a process of probe would start", plan.get("process").asText());
    assertEquals(
        List.of("source:counter", "sink:print", "function:echo"),
        list(plan.get("symbolsRegistered")));
    assertFalse(plan.get("restartNeeded").asBoolean());
    assertTrue(status("probe").startsWith("404"), status("probe"));
    State before = state();
    assertEquals(201, send("POST", "plugins/portables", create).getStatus());
    assertSameFiles(plan, before, state());
    String running = status("probe");
    assertTrue(running.startsWith("200"), running);
    long pid = JSON.readTree(running.substring(4)).get("pid").asLong();

    String update = body("probe", probeZip("v2.0.0", "[\"echo\",\"shout\"]"));
    plan = dryRun("PUT", "plugins/portables/probe", update);
    assertEquals(List.of("function:shout"), list(plan.get("symbolsRegistered")));
    assertEquals(List.of(), list(plan.get("symbolsRemoved")));
    assertTrue(plan.get("process").asText().startsWith("the running process would be replaced"));
    assertEquals(pid, JSON.readTree(status("probe").substring(4)).get("pid").asLong());
    before = state();
    assertEquals(200, send("PUT", "plugins/portables/probe", update).getStatus());
    assertSameFiles(plan, before, state());
    assertNotEquals(pid, JSON.readTree(status("probe").substring(4)).get("pid").asLong());

    plan = dryRun("DELETE", "plugins/portables/probe", null);
    assertEquals(
        List.of("source:counter", "sink:print", "function:echo", "function:shout"),
        list(plan.get("symbolsRemoved")));
    assertTrue(status("probe").startsWith("200"));
    before = state();
    assertEquals(200, send("DELETE", "plugins/portables/probe", null).getStatus());
    assertSameFiles(plan, before, state());
  }
}
