package dev.kpm.api;

import static dev.kpm.api.NativeTestSupport.assertError;
import static dev.kpm.api.NativeTestSupport.assertText;
import static dev.kpm.testing.HomeAssertions.assertNoTrace;
import static dev.kpm.testing.HomeAssertions.files;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.testing.ApiTest;
import dev.kpm.testing.FixtureServer;
import dev.kpm.testing.TestPlugins;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Native create over the real API: eKuiper's success paths and its refusals, exactly. */
class NativeCreateIT extends ApiTest {
  private FixtureServer server;

  @BeforeAll
  void startFixtureServer() {
    server = new FixtureServer(fixtures);
  }

  @AfterAll
  void stopFixtureServer() {
    server.close();
  }

  private Response post(String type, String json) {
    return target("plugins/" + type)
        .request()
        .post(Entity.entity(json, MediaType.APPLICATION_JSON));
  }

  private String get(String path) {
    return target(path).request().get(String.class);
  }

  @Test
  void sourceWithYamlJsonEtcAndOtherFilesInstallsFromHttp() {
    TestPlugins.zip("source-complete", fixtures);
    assertText(
        post(
            "sources",
            "{\"name\":\"random\",\"file\":\"" + server.url("source-complete.zip") + "\"}"),
        201,
        "sources plugin random is created");
    Path home = kpm.home();
    assertEquals(List.of("Random@v1.0.0.so"), files(home.resolve("plugins/sources")));
    List<String> config = List.of("random.json", "random.yaml", "random/random.conf");
    assertEquals(config, files(home.resolve("etc/sources")));
    assertEquals(config, files(home.resolve("data/sources")));
    assertEquals(List.of(), files(home.resolve(".kpm/staging")), "scratch files stay out of home");
    assertEquals("{\"name\":\"random\",\"version\":\"1.0.0\"}", get("plugins/sources/random"));
    assertTrue(get("plugins/sources").contains("\"random\""));
  }

  @Test
  void sinkInstallsFromAFileUrl() {
    Path zip = TestPlugins.zip("sink-lowercase-so", fixtures);
    assertText(
        post("sinks", "{\"name\":\"file2\",\"file\":\"file://" + zip + "\"}"),
        201,
        "sinks plugin file2 is created");
    assertEquals(List.of("file2.so"), files(kpm.home().resolve("plugins/sinks")));
    assertEquals("{\"name\":\"file2\",\"version\":\"\"}", get("plugins/sinks/file2"));
  }

  @Test
  void functionWithADeclaredListOwnsEverySymbol() {
    TestPlugins.zip("function-two-symbols", fixtures);
    String body =
        "{\"name\":\"echo2\",\"file\":\""
            + server.redirectUrl("function-two-symbols.zip")
            + "\",\"functions\":[\"echo2\",\"echo3\"]}";
    assertText(post("functions", body), 201, "functions plugin echo2 is created");
    assertEquals(
        "{\"functions\":[\"echo2\",\"echo3\"],\"name\":\"echo2\",\"version\":\"\"}",
        get("plugins/functions/echo2"));
    assertEquals("{\"name\":\"echo3\",\"plugin\":\"echo2\"}", get("plugins/udfs/echo3"));

    String misc =
        "{\"name\":\"misc\",\"file\":\""
            + server.url("function-two-symbols.zip")
            + "\",\"functions\":[\"misc\",\"echo3\"]}";
    assertError(
        post("functions", misc),
        400,
        "functions plugins create command error: function name echo3 already exists");
    assertEquals(404, target("plugins/udfs/misc").request().get().getStatus(), "no dangling UDF");
    assertNoTrace(kpm, "functions", "misc");
  }

  @Test
  void aPreExistingSourceYamlIsKeptAndTheInstallSucceeds() throws Exception {
    Path yaml = kpm.home().resolve("etc/sources/keep.yaml");
    Files.writeString(yaml, "hand: placed\n");
    Path zip =
        TestPlugins.zip(
            fixtures.resolve("keep.zip"),
            List.of(
                TestPlugins.Entry.file("Keep.so", "so"),
                TestPlugins.Entry.file("keep.yaml", "from: zip\n")));
    assertText(
        post("sources", "{\"name\":\"keep\",\"file\":\"file:" + zip + "\"}"),
        201,
        "sources plugin keep is created");
    assertEquals("hand: placed\n", Files.readString(yaml));
  }

  @ParameterizedTest
  @ValueSource(strings = {"x.zip", "ftp://h/x.zip", "https://h/x.zip?x=1", "file://host/x.zip"})
  void aFileThatIsNotAZipUrlIsAnInvalidUri(String file) {
    assertError(
        post("sinks", "{\"name\":\"badurl\",\"file\":\"" + file + "\"}"),
        400,
        "sinks plugins create command error: invalid uri " + file);
    assertNoTrace(kpm, "sinks", "badurl");
  }

  @Test
  void aSecondCreateOfTheSameNameIsADuplicate() {
    Path zip = TestPlugins.zip("sink-lowercase-so", fixtures);
    String body = "{\"name\":\"dup\",\"file\":\"file://" + zip + "\"}";
    Path renamed = fixtures.resolve("dup.zip");
    TestPlugins.zip(renamed, List.of(TestPlugins.Entry.file("Dup.so", "so")));
    String ok = "{\"name\":\"dup\",\"file\":\"file://" + renamed + "\"}";
    assertEquals(201, post("sinks", ok).getStatus());
    assertError(
        post("sinks", body),
        400,
        "sinks plugins create command error: invalid name dup: duplicate");
  }

  @Test
  void aMissingRemoteFileIsADownloadFailureWithTheStatusLine() {
    String url = server.url("nothing.zip");
    assertError(
        post("sinks", "{\"name\":\"nozip\",\"file\":\"" + url + "\"}"),
        400,
        "sinks plugins create command error: fail to download file "
            + url
            + ": cannot download the file with status: 404 Not Found");
    assertNoTrace(kpm, "sinks", "nozip");
  }

  @Test
  void aMatchingSha256IsAcceptedAndRecordedInTheInstallLog() throws Exception {
    Path zip = fixtures.resolve("hashed.zip");
    TestPlugins.zip(zip, List.of(TestPlugins.Entry.file("Hashed.so", "so")));
    String sha =
        HexFormat.of()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(zip)));
    String body =
        "{\"name\":\"hashed\",\"file\":\""
            + server.url("hashed.zip")
            + "\",\"sha256\":\""
            + sha
            + "\"}";
    assertEquals(201, post("sinks", body).getStatus());
    String log = get("plugins/sinks/hashed/installs");
    assertTrue(log.contains("\"state\":\"SUCCEEDED\""), log);
    assertTrue(log.contains("\"sha256\":\"" + sha + "\""), log);
  }

  @Test
  void aSha256MismatchIsRefusedNamingBothDigestsAndNothingIsInstalled() throws Exception {
    Path zip = fixtures.resolve("tampered.zip");
    TestPlugins.zip(zip, List.of(TestPlugins.Entry.file("Tampered.so", "so")));
    String actual =
        HexFormat.of()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(zip)));
    String expected = "0".repeat(64);
    String url = server.url("tampered.zip");
    String body =
        "{\"name\":\"tampered\",\"file\":\"" + url + "\",\"sha256\":\"" + expected + "\"}";
    assertError(
        post("sinks", body),
        400,
        "sinks plugins create command error: fail to download file "
            + url
            + ": sha256 mismatch: expected "
            + expected
            + ", got "
            + actual
            + " after "
            + Files.size(zip)
            + " bytes");
    assertNoTrace(kpm, "sinks", "tampered");
    String log = get("plugins/sinks/tampered/installs");
    assertTrue(log.contains("\"state\":\"FAILED\""), log);
  }

  @Test
  void anInvalidNameGetsTheBareValidateIdText() {
    assertError(
        post("sources", "{\"name\":\"a.b\",\"file\":\"file:///x.zip\"}"),
        400,
        "id 'a.b' contains invalid characters: only alphanumeric, hyphens and underscores are"
            + " allowed");
  }

  @Test
  void undecodableBodiesGetTheDecoderText() {
    String prefix = "Invalid body: Error decoding the sources plugin json: ";
    assertError(post("sources", ""), 400, prefix + "EOF");
    assertError(post("sources", "{\"name\""), 400, prefix + "unexpected EOF");
    assertError(
        post("sources", "\"x\""),
        400,
        prefix + "json: cannot unmarshal string into Go value of type plugin.IOPlugin");
    assertError(
        post("functions", "{\"name\":\"f\",\"functions\":\"x\"}"),
        400,
        "Invalid body: Error decoding the functions plugin json: json: cannot unmarshal string"
            + " into Go struct field FuncPlugin.functions of type []string");
  }
}
