package dev.kpm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.Settings;
import dev.kpm.testing.ApiTest;
import dev.kpm.testing.Await;
import dev.kpm.testing.FixtureServer;
import dev.kpm.testing.HomeAssertions;
import dev.kpm.testing.Pause;
import dev.kpm.testing.TestDatabase;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Install jobs through the real API (docs/api.md §8.15): {@code Prefer: respond-async}, progress of
 * a large download from a local server that stalls half way, cancel during the download and during
 * install.sh (nothing left), a cancel refused once the job commits, the synchronous answer at the
 * end, and a job a restart of kpm interrupted shown failed.
 */
class JobsIT extends ApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long INTERRUPTED_JOB = 4242;
  private FixtureServer server;

  @Override
  protected Map<Settings.Key, String> settings() {
    return Map.of(Settings.Key.TEST_PAUSE_AT, "moved:committed");
  }

  /** A job that was running when kpm stopped: its record is RUNNING, its staging folder there. */
  @Override
  protected void beforeStart(TestDatabase.Coordinates db) {
    TestDatabase.migrate(db);
    TestDatabase.sql(
        db,
        "insert into install_record (id, plugin_type, plugin_name, operation, state, source_url,"
            + " staging_dir) values ("
            + INTERRUPTED_JOB
            + ", 'sinks', 'interrupted', 'CREATE', 'RUNNING', 'http://example.invalid/i.zip',"
            + " '/nonexistent/staging/interrupted')");
  }

  @BeforeAll
  void startServer() {
    server = new FixtureServer(fixtures);
  }

  @AfterAll
  void stopServer() {
    server.close();
  }

  private static JsonNode json(Response r, int status) {
    String text = r.readEntity(String.class);
    assertEquals(status, r.getStatus(), text);
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  private Response async(String method, String path, String body) {
    return target(path)
        .request()
        .header("Prefer", "respond-async")
        .method(method, Entity.entity(body, MediaType.APPLICATION_JSON));
  }

  private JsonNode job(long id) {
    return json(target("jobs/" + id).request().get(), 200);
  }

  private JsonNode awaitEnd(long id) {
    return Await.value(
        "job " + id + " ended",
        Await.LONG,
        () -> {
          JsonNode j = job(id);
          return j.get("state").asText().equals("running") ? null : j;
        });
  }

  private static String body(String name, String url) {
    return "{\"name\":\"" + name + "\",\"file\":\"" + url + "\"}";
  }

  private Path soZip(String name) {
    String so = Character.toUpperCase(name.charAt(0)) + name.substring(1) + ".so";
    return TestPlugins.zip(fixtures.resolve(name + ".zip"), List.of(Entry.file(so, "so")));
  }

  @Test
  void anAsyncCreateAnswers202WithItsJobWhichEndsWithTheSynchronousAnswer() {
    Path zip = soZip("quick");
    Response accepted = async("POST", "plugins/sinks", body("quick", "file://" + zip));
    JsonNode job = json(accepted, 202);
    long id = job.get("id").asLong();
    assertEquals("/jobs/" + id, accepted.getLocation().getPath());
    assertEquals("create", job.get("operation").asText());
    JsonNode done = awaitEnd(id);
    assertEquals("succeeded", done.get("state").asText(), done.toString());
    assertEquals("done", done.get("phase").asText());
    assertEquals(201, done.get("status").asInt());
    assertEquals("sinks plugin quick is created", done.get("text").asText());
    assertTrue(target("plugins/sinks").request().get(String.class).contains("\"quick\""));
    assertEquals(
        1,
        kpm.count(
            "select count(*) from audit_event where action = 'plugin.create'"
                + " and plugin_name = 'quick' and status = 201"));

    // A failing job ends with the status and text the synchronous call answers.
    JsonNode failed =
        awaitEnd(
            json(async("POST", "plugins/sinks", body("quick", "file://" + zip)), 202)
                .get("id")
                .asLong());
    assertEquals(400, failed.get("status").asInt());
    assertEquals(
        "sinks plugins create command error: invalid name quick: duplicate",
        failed.get("text").asText());
    assertEquals(
        "failed",
        json(target("jobs").queryParam("state", "failed").request().get(), 200)
            .get(0)
            .get("state")
            .asText());
  }

  @Test
  void aLargeDownloadShowsProgressAndACancelLeavesNothing() throws IOException {
    byte[] big = new byte[50 << 20];
    new java.util.Random(7).nextBytes(big);
    Path zip =
        TestPlugins.zip(
            fixtures.resolve("big.zip"),
            List.of(Entry.stored("Big.so", "so"), new Entry("blob.bin", big, 0100644)));
    long id =
        json(
                async(
                    "POST", "plugins/sinks", body("big", server.uri("/stall/big.zip").toString())),
                202)
            .get("id")
            .asLong();
    long size = Files.size(zip);
    JsonNode progress =
        Await.value(
            "half of big.zip downloaded",
            Await.LONG,
            () -> {
              JsonNode j = job(id);
              return j.has("bytesDone") && j.get("bytesDone").asLong() >= size / 2 - (1 << 20)
                  ? j
                  : null;
            });
    assertEquals("downloading", progress.get("phase").asText());
    assertTrue(progress.get("bytesDone").asLong() < size, progress.toString());
    assertEquals(size, progress.get("bytesTotal").asLong(), "the server's Content-Length");
    JsonNode cancelled = json(target("jobs/" + id).request().delete(), 200);
    assertEquals("failed", cancelled.get("state").asText(), cancelled.toString());
    assertTrue(
        cancelled.get("text").asText().endsWith("job " + id + " was cancelled by anonymous"),
        cancelled.toString());
    HomeAssertions.assertNoTrace(kpm, "sinks", "big");
    assertEquals("FAILED", kpm.sqlString("select state from install_record where id = " + id));
    assertEquals(
        1,
        kpm.count(
            "select count(*) from audit_event where action = 'job.cancel' and detail = 'job "
                + id
                + "'"));
  }

  @Test
  void installShOutputIsShownWhileItRunsAndACancelKillsItsTree() throws IOException {
    Path zip = TestPlugins.zip("install-script-hangs", fixtures);
    Path pids = fixtures.resolve("hang-pids");
    String body =
        "{\"name\":\"hanging\",\"file\":\"file://" + zip + "\",\"shellParas\":[\"" + pids + "\"]}";
    long id = json(async("POST", "plugins/functions", body), 202).get("id").asLong();
    Await.until(
        "install.sh running",
        () -> job(id).get("phase").asText().equals("running install.sh") && Files.exists(pids));
    String[] written = Files.readString(pids).strip().split(" ");
    JsonNode cancelled = json(target("jobs/" + id).request().delete(), 200);
    assertEquals("failed", cancelled.get("state").asText(), cancelled.toString());
    for (String pid : written) {
      Await.until(
          "script process " + pid + " killed",
          () -> ProcessHandle.of(Long.parseLong(pid)).map(p -> !p.isAlive()).orElse(true));
    }
    HomeAssertions.assertNoTrace(kpm, "functions", "hanging");
  }

  @Test
  void aCancelOnceTheJobCommitsIsRefusedAndTheJobFinishes() {
    long id =
        json(async("POST", "plugins/sinks", body("committed", "file://" + soZip("committed"))), 202)
            .get("id")
            .asLong();
    Pause.awaitReached(kpm.home(), "moved", "committed");
    assertEquals("committing", job(id).get("phase").asText());
    Response refused = target("jobs/" + id).request().delete();
    String text = refused.readEntity(String.class);
    assertEquals(409, refused.getStatus(), text);
    assertEquals(
        "{\"error\":1000,\"message\":\"cannot cancel job "
            + id
            + ": it is committing; it will finish\"}\n",
        text);
    Pause.release(kpm.home(), "moved", "committed");
    assertEquals(201, awaitEnd(id).get("status").asInt());
    Response ended = target("jobs/" + id).request().delete();
    assertEquals(409, ended.getStatus());
  }

  @Test
  void aPortablePluginWhoseFirstStartFailsKeepsWhatItPrintedInTheJobAndTheRecord()
      throws IOException {
    Path zip =
        TestPlugins.zip(
            fixtures.resolve("stillborn.zip"),
            List.of(
                Entry.file(
                    "stillborn.json",
                    "{\"version\":\"v1\",\"language\":\"go\",\"executable\":\"stillborn\","
                        + "\"sources\":[\"s\"],\"sinks\":[],\"functions\":[]}"),
                new Entry(
                    "stillborn",
                    "#!/bin/sh\necho 'cannot read /etc/stillborn.conf: no such file' >&2\nexit 2\n"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    0100755),
                Entry.file("sources/s.yaml", "default: {}\n")));
    long id =
        json(async("POST", "plugins/portables", body("stillborn", "file://" + zip)), 202)
            .get("id")
            .asLong();
    JsonNode failed = awaitEnd(id);
    assertEquals(400, failed.get("status").asInt(), failed.toString());
    assertEquals(Files.size(zip), failed.get("bytesDone").asLong(), failed.toString());
    assertTrue(failed.get("text").asText().contains("exit status 2"), failed.toString());
    assertTrue(
        failed.get("output").asText().contains("cannot read /etc/stillborn.conf"),
        failed.toString());
    assertTrue(
        kpm.sqlString("select stdout_tail from install_record where id = " + id)
            .contains("cannot read /etc/stillborn.conf"));
  }

  @Test
  void aJobAStopOfKpmInterruptedIsShownFailedWithTheReason() {
    JsonNode j = job(INTERRUPTED_JOB);
    assertEquals("failed", j.get("state").asText(), j.toString());
    assertEquals(400, j.get("status").asInt());
    assertTrue(j.get("text").asText().startsWith("kpm stopped during the install"), j.toString());
  }

  @Test
  void badJobRequestsAreRefusedInTheErrorShape() {
    assertEquals(404, target("jobs/999999").request().get().getStatus());
    assertEquals(404, target("jobs/999999").request().delete().getStatus());
    assertEquals(400, target("jobs/abc").request().get().getStatus());
    assertEquals(400, target("jobs").queryParam("state", "sleeping").request().get().getStatus());
    assertEquals(400, target("jobs").queryParam("limit", "0").request().get().getStatus());
  }
}
