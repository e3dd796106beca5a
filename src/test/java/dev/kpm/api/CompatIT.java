package dev.kpm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.Settings;
import dev.kpm.testing.ApiTest;
import dev.kpm.testing.GoFixtures;
import dev.kpm.testing.HomeAssertions;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The compatibility check of native plugins through the real API (README "Compatibility check"),
 * with real Go-built plugins and a real plugin-capable Go host as the eKuiper binary: every verdict
 * is compared with what the host itself says when it loads the plugin with {@code plugin.Open}.
 * {@code kpm.engine.check=enforce}, unknowns installed ({@link CompatWarnIT}: warn and refusing
 * unknowns).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CompatIT extends ApiTest {
  static final ObjectMapper JSON = new ObjectMapper();
  private Path engine;

  @Override
  protected Map<Settings.Key, String> settings() {
    engine = fixtures.resolve("engine/kuiperd");
    copy(GoFixtures.get(GoFixtures.HOST), engine);
    return Map.of(Settings.Key.ENGINE_BINARY, engine.toString());
  }

  static void copy(Path from, Path to) {
    try {
      Files.createDirectories(to.getParent());
      Path tmp = to.resolveSibling(to.getFileName() + ".new");
      Files.copy(
          from, tmp, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
      Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A function plugin zip holding a fixture as {@code <Name>@v1.0.0.so}. */
  static Path zip(Path dir, String name, String fixture) {
    try {
      return zip(dir, name, Files.readAllBytes(GoFixtures.get(fixture)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A function plugin zip holding {@code so} as {@code <Name>@v1.0.0.so}. */
  static Path zip(Path dir, String name, byte[] so) {
    String file = Character.toUpperCase(name.charAt(0)) + name.substring(1) + "@v1.0.0.so";
    return TestPlugins.zip(dir.resolve(name + ".zip"), List.of(new Entry(file, so, 0100755)));
  }

  Response create(String name, String fixture) {
    return create(name, fixture, false);
  }

  Response create(String name, String fixture, boolean dryRun) {
    return post(name, zip(fixtures, name, fixture), dryRun);
  }

  Response post(String name, Path zip, boolean dryRun) {
    String body = "{\"name\":\"" + name + "\",\"file\":\"file://" + zip + "\"}";
    return (dryRun
            ? target("plugins/functions").queryParam("dryRun", "true")
            : target("plugins/functions"))
        .request()
        .post(Entity.entity(body, MediaType.APPLICATION_JSON));
  }

  /** What the real host says when it opens {@code plugin}: {@code ok} or plugin.Open's error. */
  static String hostSays(Path host, Path plugin) {
    try {
      Process p =
          new ProcessBuilder(host.toString(), plugin.toString()).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the host finished on " + plugin);
      return new String(out, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonNode json(Response r, int status) {
    String text = r.readEntity(String.class);
    assertEquals(status, r.getStatus(), text);
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  JsonNode compat(String name) {
    return json(target("plugins/functions/" + name + "/compat").request().get(), 200);
  }

  /** Where kpm installs plugin {@code name}'s .so: the path eKuiper would open. */
  private Path installedSo(String name) {
    return kpm.home()
        .resolve(
            "plugins/functions/"
                + Character.toUpperCase(name.charAt(0))
                + name.substring(1)
                + "@v1.0.0.so");
  }

  /**
   * Installs {@code fixture}, which the real host refuses, and asserts kpm refuses it with the
   * host's own words for the path eKuiper would open, then kpm's detail; nothing is left.
   */
  private String assertRefusedAsTheHostRefuses(String name, String fixture) {
    String host = hostSays(engine, GoFixtures.get(fixture));
    assertFalse(host.equals("ok"), "the real host loads " + fixture);
    String fixtureStem = GoFixtures.get(fixture).toString().replaceFirst("\\.so$", "");
    String abs = installedSo(name).toString();
    String expected =
        "functions plugins create command error: fail to install plugin: cannot open "
            + abs
            + ": "
            + host.replace(GoFixtures.get(fixture).toString(), abs)
                .replace(fixtureStem, abs.replaceFirst("\\.so$", ""));
    JsonNode error = json(create(name, fixture), 400);
    assertEquals(1000, error.get("error").asInt());
    String message = error.get("message").asText();
    assertTrue(
        message.startsWith(expected + " (kpm: "),
        message + "\n expected to start with\n" + expected);
    HomeAssertions.assertNoTrace(kpm, "functions", name);
    return message;
  }

  @Test
  @Order(1)
  void aPluginBuiltLikeTheEngineInstallsAndIsCompatible() {
    assertEquals("ok", hostSays(engine, GoFixtures.get(GoFixtures.PLUGIN_OK)));
    assertEquals(201, create("matching", GoFixtures.PLUGIN_OK).getStatus());
    JsonNode c = compat("matching");
    assertEquals("compatible", c.get("status").asText(), c.toString());
    assertEquals("plugins/functions/Matching@v1.0.0.so", c.get("file").asText());
    assertTrue(c.get("plugin").get("goPlugin").asBoolean());
    // Go 1.19 writes no build info into -buildmode=plugin files; the engine has it.
    assertTrue(
        c.get("engine").get("binary").get("goVersion").asText().startsWith("go1.19"), c.toString());
    assertEquals("read", c.get("engine").get("status").asText());
    assertTrue(
        c.get("engine").get("binary").get("modules").toString().contains("example.com/kpmlib"),
        c.toString());
    assertTrue(
        kpm.sqlString("select detail from audit_event where plugin_name = 'matching'")
            .contains("compat: compatible"));
  }

  @Test
  @Order(2)
  void aPluginBuiltAgainstAChangedModuleIsRefusedNamingThePackageTheHostNames() {
    String message = assertRefusedAsTheHostRefuses("module", GoFixtures.PLUGIN_MODULE);
    assertTrue(message.contains("package example.com/kpmlib"), message);
    assertTrue(message.contains("eKuiper has example.com/kpmlib"), message);
  }

  @Test
  @Order(3)
  void aPluginOfAnotherToolchainIsRefusedAsTheHostRefusesItAndSaysSo() {
    String message = assertRefusedAsTheHostRefuses("toolchain", GoFixtures.PLUGIN_TOOLCHAIN);
    assertTrue(message.contains("toolchain"), message);
  }

  @Test
  @Order(4)
  void aMuslPluginIsRefusedForAGlibcEngine() {
    String message = assertRefusedAsTheHostRefuses("musl", GoFixtures.PLUGIN_MUSL);
    assertTrue(message.contains("plugin needs musl libc, eKuiper uses glibc"), message);
  }

  @Test
  @Order(5)
  void buildFlagsAreJudgedAsTheRealHostJudgesThem() {
    for (String fixture :
        List.of(GoFixtures.PLUGIN_TRIMPATH, GoFixtures.PLUGIN_TAG, GoFixtures.PLUGIN_STRIPPED)) {
      String name =
          "flag" + fixture.replaceAll("[^a-z]", "").replace("pluginso", "").replace("plugin", "");
      String host = hostSays(engine, GoFixtures.get(fixture));
      if (host.equals("ok")) {
        assertEquals(201, create(name, fixture).getStatus(), fixture);
        assertEquals("compatible", compat(name).get("status").asText(), fixture);
      } else {
        assertRefusedAsTheHostRefuses(name, fixture);
      }
    }
  }

  @Test
  @Order(6)
  void filesKpmCannotCheckAreInstalledAsUnknownWithTheReasonRecorded() {
    for (String fixture : List.of(GoFixtures.C_LIB, GoFixtures.TEXT)) {
      String name = fixture.equals(GoFixtures.TEXT) ? "textso" : "clib";
      assertEquals(201, create(name, fixture).getStatus(), fixture);
      JsonNode c = compat(name);
      assertEquals("unknown", c.get("status").asText(), c.toString());
      assertFalse(c.get("detail").asText().isBlank(), c.toString());
      assertTrue(
          kpm.sqlString("select detail from audit_event where plugin_name = '" + name + "'")
              .startsWith("compat: unknown: "));
    }
  }

  @Test
  @Order(6)
  void damagedElfFilesAreUnknownNeverAFailure() throws IOException {
    byte[] ok = Files.readAllBytes(GoFixtures.get(GoFixtures.PLUGIN_OK));
    byte[] truncated = java.util.Arrays.copyOf(ok, 3000);
    byte[] lying = ok.clone();
    // e_shoff (ELF64, little endian, offset 0x28) far beyond the end of the file.
    java.nio.ByteBuffer.wrap(lying)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putLong(0x28, Long.MAX_VALUE / 2);
    int i = 0;
    for (byte[] damaged : List.of(truncated, lying)) {
      String name = "damaged" + i++;
      assertEquals(201, post(name, zip(fixtures, name, damaged), false).getStatus(), name);
      JsonNode c = compat(name);
      assertEquals("unknown", c.get("status").asText(), c.toString());
    }
  }

  @Test
  @Order(7)
  void aDryRunReportsTheVerdictAndARefusalAsTheRealCallWould() {
    JsonNode plan = json(create("dryok", GoFixtures.PLUGIN_OK, true), 200);
    assertEquals("compatible", plan.get("compat").get("status").asText(), plan.toString());
    Response refused = create("drybad", GoFixtures.PLUGIN_MODULE, true);
    String text = refused.readEntity(String.class);
    assertEquals(400, refused.getStatus(), text);
    assertTrue(text.contains("plugin was built with a different version of package"), text);
  }

  @Test
  @Order(8)
  void replacingTheEngineBinaryIsSeenByTheNextCheckAndTheListing() {
    JsonNode all = json(target("plugins/compat").request().get(), 200);
    assertEquals("enforce", all.get("check").asText());
    assertEquals(0, all.get("incompatible").asInt(), all.toString());
    // The engine is upgraded to a build against the changed module: what was installed for the
    // old one no longer loads, and the new one's plugin now does.
    copy(GoFixtures.get(GoFixtures.HOST_V2), engine);
    assertFalse(hostSays(engine, GoFixtures.get(GoFixtures.PLUGIN_OK)).equals("ok"));
    all = json(target("plugins/compat").queryParam("status", "incompatible").request().get(), 200);
    assertTrue(all.get("incompatible").asInt() >= 1, all.toString());
    List<String> names = all.get("plugins").findValuesAsText("name");
    assertTrue(names.contains("matching"), all.toString());
    JsonNode matching = compat("matching");
    assertEquals("incompatible", matching.get("status").asText());
    assertTrue(
        matching
            .get("message")
            .asText()
            .contains("plugin was built with a different version of package example.com/kpmlib"),
        matching.toString());
    assertEquals(201, create("module", GoFixtures.PLUGIN_MODULE).getStatus());
    assertEquals(
        400, target("plugins/compat").queryParam("status", "broken").request().get().getStatus());
  }

  @Test
  @Order(9)
  void aPortableOrUnknownPluginHasNoCompatVerdict() {
    assertEquals(404, target("plugins/functions/nothing/compat").request().get().getStatus());
    assertEquals(400, target("plugins/functions/bad%20name/compat").request().get().getStatus());
  }
}
