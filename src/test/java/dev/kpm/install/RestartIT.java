package dev.kpm.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.testing.Await;
import dev.kpm.testing.EmbeddedTomcat;
import dev.kpm.testing.HomeAssertions;
import dev.kpm.testing.Probe;
import dev.kpm.testing.Processes;
import dev.kpm.testing.TestDatabase;
import dev.kpm.testing.TestKpm;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kpm stopped and started again on the same home and database: plugins, versions and files intact;
 * stray {@code .so} files auto-loaded and recorded; vanished files reported; work a crash
 * interrupted rolled back or finished.
 */
class RestartIT {
  @TempDir Path home;
  @TempDir Path fixtures;

  private interface Work {
    void run(EmbeddedTomcat server);
  }

  private void session(TestDatabase.Coordinates db, Work work) {
    try (TestKpm kpm = TestKpm.start(home, db, Map.of());
        EmbeddedTomcat server = EmbeddedTomcat.start(kpm.runtime()::mount)) {
      work.run(server);
    }
  }

  @Test
  void pluginsSurviveARestartAndStrayFilesAreAutoLoadedAndDriftIsReported() throws Exception {
    TestDatabase.Coordinates db = TestDatabase.fresh();
    Path zip = TestPlugins.zip("source-complete", fixtures);
    session(
        db,
        s ->
            assertEquals(
                201,
                s.send(
                        "POST",
                        "plugins/sources",
                        "{\"name\":\"random\",\"file\":\"file://" + zip + "\"}")
                    .statusCode()));
    Files.writeString(home.resolve("plugins/functions/Stray@v3.so"), "so");
    Files.writeString(home.resolve("plugins/sinks/Lost.so"), "so");
    session(db, s -> assertEquals("[\"lost\"]", s.get("plugins/sinks")));
    Files.delete(home.resolve("plugins/sinks/Lost.so"));
    session(
        db,
        s -> {
          assertEquals(
              "{\"name\":\"random\",\"version\":\"1.0.0\"}", s.get("plugins/sources/random"));
          assertEquals("{\"name\":\"stray\",\"version\":\"3\"}", s.get("plugins/functions/stray"));
          assertEquals("{\"name\":\"stray\",\"plugin\":\"stray\"}", s.get("plugins/udfs/stray"));
          assertTrue(
              s.get("plugins/functions/stray/installs").contains("\"operation\":\"AUTOLOAD\""));
          assertEquals(
              "system v3",
              sqlString(
                  db,
                  "SELECT subject || ' ' || version_after FROM audit_event"
                      + " WHERE action = 'plugin.autoload' AND plugin_name = 'stray'"),
              "the auto-load is audited as kpm's own action");
          assertEquals("[\"lost\"]", s.get("plugins/sinks"), "a row whose file vanished stays");
          assertEquals(
              "{\"name\":\"lost\",\"status\":\"missing-files\",\"files\":[\"plugins/sinks/Lost.so\"],"
                  + "\"missing\":[\"plugins/sinks/Lost.so\"]}",
              s.get("plugins/sinks/lost/health"));
          assertEquals(
              "{\"name\":\"random\",\"status\":\"ok\",\"files\":[\"data/sources/random.json\","
                  + "\"data/sources/random.yaml\",\"data/sources/random/random.conf\","
                  + "\"etc/sources/random.json\",\"etc/sources/random.yaml\","
                  + "\"etc/sources/random/random.conf\",\"plugins/sources/Random@v1.0.0.so\"],"
                  + "\"missing\":[]}",
              s.get("plugins/sources/random/health"));
        });
  }

  @Test
  void manyStrayFilesAreAllAutoLoadedAndAFunctionNameAnotherPluginExportsStaysItsOwn()
      throws Exception {
    TestDatabase.Coordinates db = TestDatabase.fresh();
    Path zip = TestPlugins.zip("function-two-symbols", fixtures);
    String create =
        "{\"name\":\"echo2\",\"file\":\"file://" + zip + "\",\"functions\":[\"echo2\",\"echo3\"]}";
    session(db, s -> assertEquals(201, s.send("POST", "plugins/functions", create).statusCode()));
    Files.writeString(home.resolve("plugins/functions/Echo3.so"), "so");
    // More files than one auto-load transaction takes.
    for (int i = 0; i < 250; i++) {
      Files.writeString(home.resolve(String.format("plugins/sources/S%03d@v1.so", i)), "so");
    }
    session(
        db,
        s -> {
          assertEquals(
              "{\"functions\":[],\"name\":\"echo3\",\"version\":\"\"}",
              s.get("plugins/functions/echo3"));
          assertEquals("{\"name\":\"echo3\",\"plugin\":\"echo2\"}", s.get("plugins/udfs/echo3"));
          assertEquals(250, s.get("plugins/sources").split(",").length);
          assertEquals("{\"name\":\"s249\",\"version\":\"1\"}", s.get("plugins/sources/s249"));
          String history = s.get("plugins/sources/s000/installs");
          assertTrue(
              history.contains("\"operation\":\"AUTOLOAD\",\"state\":\"SUCCEEDED\""), history);
          assertEquals(
              "{\"name\":\"s000\",\"status\":\"ok\",\"files\":[\"plugins/sources/S000@v1.so\"],"
                  + "\"missing\":[]}",
              s.get("plugins/sources/s000/health"));
        });
  }

  @Test
  void anInstallACrashInterruptedMidMoveIsRolledBackAtStart() throws Exception {
    TestDatabase.Coordinates db = TestDatabase.fresh();
    session(db, s -> {});
    // What a crash between two moves leaves: a RUNNING record with its plan, one file moved in
    // (replacing an older file, backed up), one still staged.
    Path staging = home.resolve(".kpm/staging/crashed");
    Files.createDirectories(staging.resolve("home/etc/sinks"));
    Files.createDirectories(staging.resolve("backup/data/sinks"));
    Files.writeString(staging.resolve("home/etc/sinks/half.json"), "new");
    Files.writeString(home.resolve("plugins/sinks/Half.so"), "moved in");
    Files.writeString(home.resolve("data/sinks/half.json"), "moved in");
    Files.writeString(staging.resolve("backup/data/sinks/half.json"), "old");
    TestDatabase.sql(
        db,
        "INSERT INTO install_record (plugin_type, plugin_name, operation, state, staging_dir,"
            + " manifest) VALUES ('sinks', 'half', 'CREATE', 'RUNNING', '"
            + staging
            + "', '{put:plugins/sinks/Half.so,put:data/sinks/half.json,put:etc/sinks/half.json}')");
    session(
        db,
        s -> {
          assertEquals("[]", s.get("plugins/sinks"), "not auto-loaded: the install was undone");
          assertTrue(s.get("plugins/sinks/half/installs").contains("\"state\":\"ABORTED\""));
        });
    assertFalse(Files.exists(home.resolve("plugins/sinks/Half.so")));
    assertFalse(Files.exists(home.resolve("etc/sinks/half.json")));
    assertEquals("old", Files.readString(home.resolve("data/sinks/half.json")), "backup restored");
    assertEquals(List.of(), HomeAssertions.files(home.resolve(".kpm/staging")));
    assertEquals(
        "system rolled back the create a stop of kpm interrupted",
        sqlString(
            db,
            "SELECT subject || ' ' || detail FROM audit_event"
                + " WHERE action = 'plugin.reconcile' AND plugin_name = 'half'"));
  }

  @Test
  void portablePluginsAreStartedAgainWhenKpmStarts() throws Exception {
    TestDatabase.Coordinates db = TestDatabase.fresh();
    Path zip =
        TestPlugins.zip(
            fixtures.resolve("boot.zip"),
            List.of(
                Entry.file(
                    "bootprobe.json",
                    "{\"language\":\"go\",\"executable\":\"bootprobe\",\"functions\":[\"echo\"]}"),
                new Entry("bootprobe", Files.readAllBytes(Probe.binary()), 0100755)));
    long[] first = new long[1];
    session(
        db,
        s -> {
          assertEquals(
              201,
              s.send(
                      "POST",
                      "plugins/portables",
                      "{\"name\":\"bootprobe\",\"file\":\"file://" + zip + "\"}")
                  .statusCode());
          first[0] = pid(s.get("plugins/portables/bootprobe/status"));
        });
    Processes.awaitDead(first[0], "the plugin stopped with kpm", Duration.ofSeconds(15));
    session(
        db,
        s -> {
          String status = awaitRunning(s, "bootprobe");
          assertTrue(pid(status) != first[0], status);
        });
  }

  @Test
  void portableFoldersWithoutARowAreAutoLoadedAndStarted() throws Exception {
    TestDatabase.Coordinates db = TestDatabase.fresh();
    session(db, s -> {});
    Path folder = Files.createDirectories(home.resolve("plugins/portable/scanned"));
    Files.writeString(
        folder.resolve("scanned.json"),
        "{\"version\":\"v3\",\"language\":\"go\",\"executable\":\"scanned\",\"functions\":[\"echo\"]}");
    Files.copy(Probe.binary(), folder.resolve("scanned"));
    Path broken = Files.createDirectories(home.resolve("plugins/portable/broken"));
    Files.writeString(broken.resolve("broken.json"), "{\"language\":\"go\"}");
    session(
        db,
        s -> {
          String list = s.get("plugins/portables");
          assertTrue(list.startsWith("[{\"name\":\"scanned\",\"version\":\"v3\""), list);
          assertTrue(!list.contains("broken"), list);
          assertTrue(
              s.get("plugins/portables/scanned/installs").contains("\"operation\":\"AUTOLOAD\""));
          String status = awaitRunning(s, "scanned");
          assertEquals(200, s.send("DELETE", "plugins/portables/scanned", null).statusCode());
        });
    assertFalse(Files.exists(folder), "a drop removes the auto-loaded folder");
  }

  private static long pid(String status) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"pid\":(\\d+)").matcher(status);
    assertTrue(m.find(), status);
    return Long.parseLong(m.group(1));
  }

  /** The status of portable plugin {@code name} once it says running (within 30 s). */
  private static String awaitRunning(EmbeddedTomcat s, String name) {
    AtomicReference<String> last = new AtomicReference<>();
    return Await.value(
        () -> name + " running, last status " + last.get(),
        Duration.ofSeconds(30),
        () -> {
          last.set(s.get("plugins/portables/" + name + "/status"));
          return last.get().contains("\"running\"") ? last.get() : null;
        });
  }

  @Test
  void aDropACrashInterruptedIsFinishedAtStart() throws Exception {
    TestDatabase.Coordinates db = TestDatabase.fresh();
    Path zip = TestPlugins.zip(fixtures.resolve("d.zip"), List.of(Entry.file("Doomed.so", "so")));
    session(
        db,
        s ->
            assertEquals(
                201,
                s.send(
                        "POST",
                        "plugins/sinks",
                        "{\"name\":\"doomed\",\"file\":\"file://" + zip + "\"}")
                    .statusCode()));
    TestDatabase.sql(db, "UPDATE plugin SET state = 'DELETING' WHERE name = 'doomed'");
    session(db, s -> assertEquals("[]", s.get("plugins/sinks")));
    assertFalse(Files.exists(home.resolve("plugins/sinks/Doomed.so")));
    assertEquals(
        "system finished the delete a stop of kpm interrupted",
        sqlString(
            db,
            "SELECT subject || ' ' || detail FROM audit_event"
                + " WHERE action = 'plugin.reconcile' AND plugin_name = 'doomed'"));
  }

  private static String sqlString(TestDatabase.Coordinates db, String query) {
    try (java.sql.Connection c =
            java.sql.DriverManager.getConnection(db.url(), db.user(), db.password());
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(query)) {
      return rs.next() ? rs.getString(1) : null;
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
