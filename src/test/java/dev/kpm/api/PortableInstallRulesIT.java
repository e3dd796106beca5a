package dev.kpm.api;

import static dev.kpm.api.NativeTestSupport.assertError;
import static dev.kpm.testing.HomeAssertions.assertNoTrace;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kpm.Settings;
import dev.kpm.testing.ApiTest;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Portable zips refused with eKuiper's texts (docs/api.md §6.1–6.3), and nothing left behind (§9.3,
 * §9.7).
 */
class PortableInstallRulesIT extends ApiTest {
  private static final String FAIL =
      "portable plugin create command error: fail to install plugin: ";

  @Override
  protected Map<Settings.Key, String> settings() {
    return Map.of(Settings.Key.HANDSHAKE_TIMEOUT, "PT2S");
  }

  private Response create(String name, List<Entry> entries) {
    Path zip = TestPlugins.zip(fixtures.resolve(name + ".zip"), entries);
    return target("plugins/portables")
        .request()
        .post(
            Entity.entity(
                "{\"name\":\"" + name + "\",\"file\":\"file://" + zip + "\"}",
                MediaType.APPLICATION_JSON));
  }

  private static Entry json(String name, String body) {
    return Entry.file(name + ".json", body);
  }

  private static Entry exe(String name, String script) {
    return new Entry(name, script.getBytes(), 0100644);
  }

  private void assertRefused(String name, List<Entry> entries, String message) {
    assertError(create(name, entries), 400, FAIL + message);
    assertNoTrace(kpm, "portables", name);
  }

  @Test
  void aZipWithoutItsJsonIsRefused() {
    assertRefused(
        "wrongname",
        List.of(json("mirror2", "{}"), exe("mirror2", "x")),
        "missing or invalid json file wrongname.json, found 2 files in total");
  }

  @Test
  void theJsonIsValidatedInEkuipersOrder() {
    String symbols = ",\"sources\":[\"s\"]";
    assertRefused(
        "v1",
        List.of(json("v1", "{\"name\":\"other\"}")),
        "invalid plugin, expect name 'v1' but got 'other'");
    assertRefused(
        "v2",
        List.of(json("v2", "{\"executable\":\"x\"" + symbols + "}")),
        "invalid plugin, missing language");
    assertRefused(
        "v3",
        List.of(json("v3", "{\"language\":\"go\"" + symbols + "}")),
        "invalid plugin, missing executable");
    assertRefused(
        "v4",
        List.of(json("v4", "{\"language\":\"go\",\"executable\":\"x\"}")),
        "invalid plugin, must define at lease one source, sink or function");
    assertRefused(
        "v5",
        List.of(json("v5", "{\"language\":\"java\",\"executable\":\"x\"" + symbols + "}")),
        "invalid plugin, language 'java' is not supported");
  }

  @Test
  void requiredFilesMustBeInTheZip() {
    assertRefused(
        "wrong",
        List.of(
            json(
                "wrong",
                "{\"language\":\"go\",\"executable\":\"mirror.exe\",\"functions\":[\"f\"]}")),
        "missing mirror.exe");
    assertRefused(
        "noyaml",
        List.of(
            json("noyaml", "{\"language\":\"go\",\"executable\":\"run\",\"sources\":[\"s1\"]}"),
            exe("run", "#!/bin/sh\n")),
        "missing sources/s1.yaml");
  }

  @Test
  void hostileEntriesAreRefused() {
    assertRefused(
        "hostile",
        List.of(json("hostile", "{}"), Entry.file("../../x", "x")),
        "zip entry \\\"../../x\\\" escapes the plugin folder");
  }

  @Test
  void aFirstStartThatFailsUndoesTheInstall() {
    Path exe = kpm.home().resolve("plugins/portable/dies/dies");
    assertRefused(
        "dies",
        List.of(
            json("dies", "{\"language\":\"go\",\"executable\":\"dies\",\"functions\":[\"f\"]}"),
            exe("dies", "#!/bin/sh\nexit 3\n")),
        "plugin executable " + exe + " stops with error exit status 3");
  }

  @Test
  void aProcessThatNeverHandshakesTimesOutAndIsUndone() {
    Path exe = kpm.home().resolve("plugins/portable/mute/mute");
    assertRefused(
        "mute",
        List.of(
            json("mute", "{\"language\":\"go\",\"executable\":\"mute\",\"functions\":[\"f\"]}"),
            exe("mute", "#!/bin/sh\nexec sleep 600\n")),
        "plugin " + exe + " control handshake error: receive time out");
  }

  @Test
  void unknownPortablesAre404() {
    assertError(
        target("plugins/portables/ghost").request().delete(),
        404,
        "delete portable plugin ghost error: portable plugin ghost is not found");
    assertError(
        target("plugins/portables/ghost/status").request().get(),
        404,
        "portable plugin ghost not found: not found");
    assertEquals(400, target("plugins/portables/a.b/status").request().get().getStatus());
  }
}
