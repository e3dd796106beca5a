package dev.kpm.api;

import static dev.kpm.api.CompatIT.hostSays;
import static dev.kpm.api.CompatIT.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kpm.Settings;
import dev.kpm.testing.ApiTest;
import dev.kpm.testing.GoFixtures;
import dev.kpm.testing.HomeAssertions;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code kpm.engine.check=warn} installs a plugin the engine would not load and reports it; {@code
 * kpm.engine.unknown=refuse} refuses a {@code .so} kpm cannot check.
 */
class CompatWarnIT extends ApiTest {
  private Path engine;

  @Override
  protected Map<Settings.Key, String> settings() {
    engine = fixtures.resolve("engine/kuiperd");
    CompatIT.copy(GoFixtures.get(GoFixtures.HOST), engine);
    return Map.of(
        Settings.Key.ENGINE_BINARY, engine.toString(),
        Settings.Key.ENGINE_CHECK, "warn",
        Settings.Key.ENGINE_UNKNOWN, "refuse");
  }

  private Response create(String name, String fixture) {
    String body =
        "{\"name\":\""
            + name
            + "\",\"file\":\"file://"
            + CompatIT.zip(fixtures, name, fixture)
            + "\"}";
    return target("plugins/functions")
        .request()
        .post(Entity.entity(body, MediaType.APPLICATION_JSON));
  }

  @Test
  void warnInstallsAnIncompatiblePluginAndReportsIt() {
    assertFalse(hostSays(engine, GoFixtures.get(GoFixtures.PLUGIN_MODULE)).equals("ok"));
    assertEquals(201, create("module", GoFixtures.PLUGIN_MODULE).getStatus());
    JsonNode c = json(target("plugins/functions/module/compat").request().get(), 200);
    assertEquals("incompatible", c.get("status").asText(), c.toString());
    assertTrue(
        c.get("message").asText().contains("different version of package example.com/kpmlib"),
        c.toString());
    assertTrue(
        kpm.sqlString("select detail from audit_event where plugin_name = 'module'")
            .startsWith("compat: incompatible, installed because kpm.engine.check=warn: "));
    JsonNode all = json(target("plugins/compat").request().get(), 200);
    assertEquals("warn", all.get("check").asText());
    assertEquals(1, all.get("incompatible").asInt(), all.toString());
  }

  @Test
  void refusingUnknownsRefusesAFileThatIsNotAGoPlugin() {
    Response r = create("textso", GoFixtures.TEXT);
    String text = r.readEntity(String.class);
    assertEquals(400, r.getStatus(), text);
    assertTrue(
        text.contains(
            "functions plugins create command error: fail to install plugin: cannot open "
                + kpm.home().resolve("plugins/functions/Textso@v1.0.0.so")
                + ": kpm cannot check it against eKuiper and kpm.engine.unknown=refuse: "),
        text);
    HomeAssertions.assertNoTrace(kpm, "functions", "textso");
    assertEquals(201, create("fine", GoFixtures.PLUGIN_OK).getStatus());
  }
}
