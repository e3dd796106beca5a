package dev.kpm.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrebuildTest {
  @TempDir Path dir;

  private Prebuild prebuild(List<String> hosts, String prettyName) throws Exception {
    Path release =
        Files.writeString(dir.resolve("os-release"), "ID=x\nPRETTY_NAME=\"" + prettyName + "\"\n");
    return new Prebuild(hosts, "2.0.0", List.of(dir.resolve("missing"), release));
  }

  @Test
  void listsTheStaticNamesForDebianAmd64WithTheFirstHost() throws Exception {
    Map<String, String> urls =
        prebuild(List.of("http://h:8080", "http://other"), "Debian GNU/Linux 12 (bookworm)")
            .list(PluginType.SOURCES, "Linux", "amd64");
    assertEquals(List.of("kafka", "random", "sql", "video", "zmq"), List.copyOf(urls.keySet()));
    assertEquals(
        "http://h:8080/kuiper-plugins/2.0.0/debian/sources/kafka_amd64.zip", urls.get("kafka"));
  }

  @Test
  void alpineAndArm64AreRecognised() throws Exception {
    Map<String, String> urls =
        prebuild(List.of("https://p"), "Alpine Linux v3.19")
            .list(PluginType.SINKS, "Linux", "aarch64");
    assertEquals("https://p/kuiper-plugins/2.0.0/alpine/sinks/zmq_arm64.zip", urls.get("zmq"));
    assertEquals(6, urls.size());
  }

  @Test
  void aNonLinuxSystemIsRefusedWithEkuipersText() throws Exception {
    PluginException e =
        assertThrows(
            PluginException.class,
            () -> prebuild(List.of("h"), "x").list(PluginType.FUNCTIONS, "Mac OS X", "aarch64"));
    assertEquals(
        "It's strongly recommended to install plugins at linux. If you choose to proceed to install"
            + " plugin, please make sure the plugin is already validated in your own build.",
        e.getMessage());
  }

  @Test
  void noHostIsAConfigurationError() throws Exception {
    PluginException e =
        assertThrows(
            PluginException.class,
            () -> prebuild(List.of(), "x").list(PluginType.SOURCES, "Linux", "amd64"));
    assertEquals("invalid configuration for plugin host in kuiper.yaml", e.getMessage());
  }
}
