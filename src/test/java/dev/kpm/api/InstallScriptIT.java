package dev.kpm.api;

import static dev.kpm.api.NativeTestSupport.assertError;
import static dev.kpm.api.NativeTestSupport.assertText;
import static dev.kpm.testing.HomeAssertions.assertNoTrace;
import static dev.kpm.testing.HomeAssertions.files;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.Settings;
import dev.kpm.testing.ApiTest;
import dev.kpm.testing.Processes;
import dev.kpm.testing.TestPlugins;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** install.sh: argv, cwd, environment, log, failure and timeout, through the real API. */
class InstallScriptIT extends ApiTest {

  @Override
  protected Map<Settings.Key, String> settings() {
    return Map.of(Settings.Key.SCRIPT_TIMEOUT, "PT2S");
  }

  private Response create(String name, String behaviour, List<String> paras) {
    Path zip = TestPlugins.zip(behaviour, fixtures);
    String list = String.join(",", paras.stream().map(p -> "\"" + p + "\"").toList());
    String body =
        "{\"name\":\"" + name + "\",\"file\":\"file://" + zip + "\",\"shellParas\":[" + list + "]}";
    return target("plugins/functions")
        .request()
        .post(Entity.entity(body, MediaType.APPLICATION_JSON));
  }

  @Test
  void installScriptGetsParametersAsArgvInItsOwnFolderAndItsOutputIsLogged() throws Exception {
    Path out = fixtures.resolve("record.txt");
    assertText(
        create(
            "echo",
            "install-script-records-args",
            List.of(out.toString(), "two words", "$(touch x);*")),
        201,
        "functions plugin echo is created");
    List<String> lines = Files.readAllLines(out);
    assertTrue(lines.get(0).startsWith("0=/"), lines.get(0));
    assertTrue(lines.get(0).endsWith("/scratch/install.sh"), lines.get(0));
    assertEquals("argc=3", lines.get(1));
    assertEquals(List.of("arg=" + out, "arg=two words", "arg=$(touch x);*"), lines.subList(2, 5));
    assertTrue(lines.get(5).startsWith("pwd=" + kpm.home().resolve(".kpm/staging")), lines.get(5));
    assertTrue(lines.contains("dep.bin"), "the other zip entries are in its folder: " + lines);
    assertFalse(lines.contains("x"), "parameters never went through a shell");
    assertEquals(List.of("Echo.so"), files(kpm.home().resolve("plugins/functions")));
    String log = target("plugins/functions/echo/installs").request().get(String.class);
    assertTrue(log.contains("\"exitCode\":0"), log);
    assertTrue(log.contains("\"stdout\":\"installed to stdout\\n\""), log);
    assertTrue(log.contains("\"stderr\":\"warning on stderr\\n\""), log);
    assertEquals(List.of(), files(kpm.home().resolve(".kpm/staging")));
  }

  @Test
  void aFailingInstallScriptFailsTheInstallAndLeavesNothing() {
    assertError(
        create("failing", "install-script-fails", List.of()),
        400,
        "functions plugins create command error: fail to install plugin: exit status 3");
    assertNoTrace(kpm, "functions", "failing");
    String log = target("plugins/functions/failing/installs").request().get(String.class);
    assertTrue(log.contains("\"exitCode\":3"), log);
    assertTrue(log.contains("cannot install: missing libfoo"), log);
  }

  @Test
  void aHangingInstallScriptIsKilledWithItsChildrenAfterTheTimeout() throws Exception {
    Path pids = fixtures.resolve("pids.txt");
    assertError(
        create("hanging", "install-script-hangs", List.of(pids.toString())),
        400,
        "functions plugins create command error: fail to install plugin: install.sh did not"
            + " finish within 2s; its process tree was killed");
    assertNoTrace(kpm, "functions", "hanging");
    for (String pid : Files.readString(pids).strip().split(" ")) {
      Processes.awaitDead(
          Long.parseLong(pid), "the timed-out script's process stops", Duration.ofSeconds(15));
    }
  }
}
