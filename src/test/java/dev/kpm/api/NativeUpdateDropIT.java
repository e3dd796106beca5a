package dev.kpm.api;

import static dev.kpm.api.NativeTestSupport.assertError;
import static dev.kpm.api.NativeTestSupport.assertText;
import static dev.kpm.testing.HomeAssertions.assertNoTrace;
import static dev.kpm.testing.HomeAssertions.files;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kpm.testing.ApiTest;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Atomic update (docs/api.md §9.6) and complete drop (§9.1, §9.4) through the real API. */
class NativeUpdateDropIT extends ApiTest {

  private String body(String name, Path zip) {
    return "{\"name\":\"" + name + "\",\"file\":\"file://" + zip + "\"}";
  }

  private Response post(String type, String body) {
    return target("plugins/" + type)
        .request()
        .post(Entity.entity(body, MediaType.APPLICATION_JSON));
  }

  private Response put(String path, String body) {
    return target(path).request().put(Entity.entity(body, MediaType.APPLICATION_JSON));
  }

  private String get(String path) {
    return target(path).request().get(String.class);
  }

  @Test
  void updateReplacesTheVersionAndItsFilesAtomically() throws Exception {
    Path v1 = fixtures.resolve("v1");
    Files.createDirectories(v1);
    assertEquals(
        201, post("sources", body("random", TestPlugins.zip("source-complete", v1))).getStatus());
    Path v2 = TestPlugins.zip("source-v2", fixtures);
    assertText(
        put("plugins/sources/random", body("random", v2)),
        200,
        "plugin random is updated and eKuiper must restart for the change to take effect.");
    assertEquals("{\"name\":\"random\",\"version\":\"2.0.0\"}", get("plugins/sources/random"));
    assertEquals(List.of("Random@v2.0.0.so"), files(kpm.home().resolve("plugins/sources")));
    assertEquals(List.of("random.yaml"), files(kpm.home().resolve("etc/sources")));
    assertEquals(
        "default:\n  interval: 2000\n",
        Files.readString(kpm.home().resolve("etc/sources/random.yaml")));
  }

  @Test
  void aFailedUpdateLeavesTheOldVersionInstalledAndDescribable() throws Exception {
    assertEquals(
        201,
        post("sinks", body("file2", TestPlugins.zip("sink-lowercase-so", fixtures))).getStatus());
    Path broken = Files.writeString(fixtures.resolve("broken.zip"), "not a zip");
    assertError(
        put("plugins/sinks/file2", body("file2", broken)),
        400,
        "sinks plugins create command error: fail to install plugin: zip: not a valid zip file");
    assertEquals("{\"name\":\"file2\",\"version\":\"\"}", get("plugins/sinks/file2"));
    assertEquals(List.of("file2.so"), files(kpm.home().resolve("plugins/sinks")));
    assertEquals(List.of(), files(kpm.home().resolve(".kpm/staging")));
  }

  @Test
  void updateOfAnUnknownPluginIs404() {
    assertError(
        put("plugins/sinks/ghost", body("ghost", fixtures.resolve("x.zip"))),
        404,
        "update sinks plugin ghost error, cannot delete old version: invalid name ghost: not exist");
  }

  @Test
  void updateWithAnUndecodableBodyIsRefused() {
    assertError(
        put("plugins/sinks/one", ""),
        400,
        "Invalid body: Error decoding the sinks plugin json: EOF");
  }

  @Test
  void updateWithAnotherNameInTheBodyIsRefused() {
    assertError(
        put("plugins/sinks/one", body("other", fixtures.resolve("x.zip"))),
        400,
        "update sinks plugin one error: the body names plugin other but the path names one");
  }

  @Test
  void dropRemovesEveryFileTheSymbolsAndTheNameAtOnce() {
    Path zip =
        TestPlugins.zip(
            fixtures.resolve("gone.zip"),
            List.of(
                Entry.file("Gone@v1.so", "so"),
                Entry.file("gone.json", "{}"),
                Entry.file("etc/gone.conf", "c")));
    String create =
        "{\"name\":\"gone\",\"file\":\"file://" + zip + "\",\"functions\":[\"g1\",\"g2\"]}";
    assertEquals(201, post("functions", create).getStatus());
    assertText(
        target("plugins/functions/gone").request().delete(),
        200,
        "functions plugin gone is deleted and eKuiper must restart for the change to take effect.");
    assertNoTrace(kpm, "functions", "gone");
    assertEquals(404, target("plugins/udfs/g1").request().get().getStatus());
    assertEquals(List.of(), files(kpm.home().resolve("data/functions")));
    assertError(
        target("plugins/functions/gone").request().delete(),
        404,
        "delete functions plugin gone error: invalid name gone: not exist");
    assertEquals(201, post("functions", create).getStatus(), "re-create after drop");
  }

  @Test
  void dropWithStopAnswersThenStopsTheServer() {
    Path zip =
        TestPlugins.zip(fixtures.resolve("stopper.zip"), List.of(Entry.file("Stopper.so", "so")));
    assertEquals(201, post("sinks", body("stopper", zip)).getStatus());
    int before = kpm.stopRequests().get();
    assertText(
        target("plugins/sinks/stopper").queryParam("stop", "1").request().delete(),
        200,
        "sinks plugin stopper is deleted and eKuiper will be stopped");
    assertEquals(before + 1, kpm.stopRequests().get());
  }
}
