package dev.kpm.api;

import static dev.kpm.api.NativeTestSupport.assertError;
import static dev.kpm.api.NativeTestSupport.assertText;
import static dev.kpm.testing.HomeAssertions.assertNoTrace;
import static dev.kpm.testing.HomeAssertions.files;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.testing.ApiTest;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import dev.kpm.testing.ZipBytes;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The zip rules of docs/api.md §5 and the hostile archives of §5.7 and §9.10: each refused with
 * eKuiper's (or kpm's) exact text, and nothing written anywhere.
 */
class NativeArchiveRulesIT extends ApiTest {

  private Response create(String type, String name, Path zip) {
    return create(type, name, zip, "");
  }

  private Response create(String type, String name, Path zip, String extra) {
    String body = "{\"name\":\"" + name + "\",\"file\":\"file://" + zip + "\"" + extra + "}";
    return target("plugins/" + type)
        .request()
        .post(Entity.entity(body, MediaType.APPLICATION_JSON));
  }

  private String p(String rel) {
    return kpm.home().resolve(rel).toString();
  }

  @Test
  void aSourceWithoutItsYamlIsIncomplete() {
    Response r = create("sources", "zipMissConf", TestPlugins.zip("source-missing-yaml", fixtures));
    assertError(
        r,
        400,
        "sources plugins create command error: fail to install plugin: invalid zip file:"
            + " expectFiles: 3, got filenames:["
            + p("plugins/sources/ZipMissConf.so")
            + "], zipFiles: [ZipMissConf.so], yamlFileChecked:false, soFileChecked:true");
    assertNoTrace(kpm, "sources", "zipMissConf");
  }

  @Test
  void anSoNamedForAnotherPluginIsNotCounted() {
    Response r =
        create("sinks", "zipWrongname", TestPlugins.zip("so-named-for-another-plugin", fixtures));
    assertError(
        r,
        400,
        "sinks plugins create command error: fail to install plugin: invalid zip file:"
            + " expectFiles: 1, got filenames:[], zipFiles: [Random2.so], yamlFileChecked:false,"
            + " soFileChecked:false");
    assertNoTrace(kpm, "sinks", "zipWrongname");
  }

  @Test
  void aFunctionWithoutAnSoIsIncomplete() {
    Response r = create("functions", "zipMissSo", TestPlugins.zip("function-no-so", fixtures));
    assertError(
        r,
        400,
        "functions plugins create command error: fail to install plugin: invalid zip file:"
            + " expectFiles: 1, got filenames:[], zipFiles: [zipMissSo.yaml],"
            + " yamlFileChecked:false, soFileChecked:false");
    assertNoTrace(kpm, "functions", "zipMissSo");
  }

  @Test
  void twoVersionsOfTheSoAreRefused() {
    Response r = create("sources", "random", TestPlugins.zip("two-so-versions", fixtures));
    assertError(
        r,
        400,
        "sources plugins create command error: fail to install plugin: invalid zip file:"
            + " expectFiles: 3, got filenames:["
            + String.join(
                " ",
                p("plugins/sources/Random.so"),
                p("plugins/sources/Random@v2.so"),
                p("etc/sources/random.yaml"),
                p("data/sources/random.yaml"))
            + "], zipFiles: [Random.so Random@v2.so random.yaml], yamlFileChecked:true,"
            + " soFileChecked:true");
    assertNoTrace(kpm, "sources", "random");
  }

  @Test
  void shellParametersNeedAnInstallScript() {
    Response r =
        create(
            "sinks",
            "paras",
            TestPlugins.zip(fixtures.resolve("paras.zip"), List.of(Entry.file("Paras.so", "so"))),
            ",\"shellParas\":[\"a\",\"b c\"]");
    assertError(
        r,
        400,
        "sinks plugins create command error: fail to install plugin: have shell parameters :"
            + " [a b c] but no install.sh file");
    assertNoTrace(kpm, "sinks", "paras");
  }

  @Test
  void aFileThatIsNotAZipIsRefused() throws Exception {
    Path zip = Files.writeString(fixtures.resolve("notzip.zip"), "");
    assertError(
        create("sinks", "notzip", zip),
        400,
        "sinks plugins create command error: fail to install plugin: zip: not a valid zip file");
    assertNoTrace(kpm, "sinks", "notzip");
  }

  @Test
  void nestedEntriesExtractWithoutFolderEntries() {
    Path zip =
        TestPlugins.zip(
            fixtures.resolve("nested.zip"),
            List.of(
                Entry.file("Nested.so", "so"),
                Entry.file("etc/deep/er/conf.txt", "x"),
                Entry.file("lib/a/b/c.txt", "y")));
    assertText(create("sinks", "nested", zip), 201, "sinks plugin nested is created");
    assertTrue(files(kpm.home().resolve("etc/sinks")).contains("nested/deep/er/conf.txt"));
  }

  @Test
  void otherEntriesAreCheckedAlsoWithoutAnInstallScript() throws Exception {
    Path zip =
        TestPlugins.zipWithSizesInLocalHeaders(
            fixtures.resolve("crc.zip"),
            new Entry("Crc.so", "so".getBytes(StandardCharsets.UTF_8), Entry.NO_MODE),
            Entry.stored("lib/dep.txt", "payload-to-corrupt"));
    ZipBytes.flipFirstByteOf(zip, "payload-to-corrupt");
    assertError(
        create("sinks", "crc", zip),
        400,
        "sinks plugins create command error: fail to install plugin: zip: truncated or corrupt"
            + " archive: entry \\\"lib/dep.txt\\\" fails its CRC check");
    assertNoTrace(kpm, "sinks", "crc");
  }

  private void assertRefused(String name, List<Entry> entries, String message) {
    Path zip = TestPlugins.zip(fixtures.resolve(name + ".zip"), entries);
    assertError(
        create("sinks", name, zip),
        400,
        "sinks plugins create command error: fail to install plugin: " + message);
    assertNoTrace(kpm, "sinks", name);
  }

  @Test
  void zipSlipEntriesAreRefused() {
    assertRefused(
        "slip",
        List.of(Entry.file("Slip.so", "so"), Entry.file("../../evil.txt", "x")),
        "zip entry \\\"../../evil.txt\\\" escapes the plugin folder");
    assertEquals(
        List.of(),
        files(kpm.home().getParent()).stream().filter(f -> f.endsWith("evil.txt")).toList());
  }

  @Test
  void absoluteEntriesAreRefused() {
    assertRefused(
        "absolute",
        List.of(Entry.file("Absolute.so", "so"), Entry.file("/tmp/evil.txt", "x")),
        "zip entry \\\"/tmp/evil.txt\\\" has an absolute path");
  }

  @Test
  void symlinkEntriesAreRefused() {
    assertRefused(
        "link",
        List.of(
            Entry.file("Link.so", "so"),
            new Entry("etc/passwd", "/etc/passwd".getBytes(), 0120777)),
        "zip entry \\\"etc/passwd\\\" is a symbolic link");
  }

  @Test
  void deviceEntriesAreRefused() {
    assertRefused(
        "device",
        List.of(Entry.file("Device.so", "so"), new Entry("dev", new byte[0], 0020644)),
        "zip entry \\\"dev\\\" is not a regular file or folder");
  }

  @Test
  void aCompressionBombIsRefused() {
    assertRefused(
        "bomb",
        List.of(Entry.file("Bomb.so", "so"), new Entry("zeros.bin", new byte[8 << 20], 0100644)),
        "zip entry \\\"zeros.bin\\\" has a compression ratio over 200:1");
  }

  @Test
  void tooManyEntriesAreRefused() {
    List<Entry> entries = new ArrayList<>();
    entries.add(Entry.file("Many.so", "so"));
    for (int i = 0; i < 10_000; i++) {
      entries.add(Entry.file("f" + i, ""));
    }
    assertRefused("many", entries, "zip has more than 10000 entries");
  }
}
