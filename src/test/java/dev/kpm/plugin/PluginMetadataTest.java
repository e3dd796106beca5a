package dev.kpm.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginMetadataTest {
  @TempDir Path dir;

  static final String RANDOM =
      """
      {"about":{"trial":true,"author":{"name":"EMQ","email":"contact@emqx.io"},
        "helpUrl":{"en_US":"https://e/en","zh_CN":"https://e/zh"},
        "description":{"en_US":"Random <data>"}},
       "libs":[],
       "dataSource":{"default":"topic"},
       "properties":{"default":[
         {"name":"interval","default":1000.0,"optional":false,"control":"text","type":"int",
          "hint":{"en_US":"ms","zh_CN":"毫秒"},"label":{"en_US":"Interval","zh_CN":"间隔"}},
         {"name":"pattern","default":[{"name":"count","default":50,"type":"int"}],
          "values":{"b":1,"a":2}}],
        "alt":[]},
       "node":{"label":{"zh_CN":"随机","en_US":"Random"},"category":"source"}}
      """;

  private Path file(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  private static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void aSourceItemHasEkuipersFormShape() throws IOException {
    var entry = new PluginMetadata.Entry("random", "native", file("random.json", RANDOM));
    assertEquals(
        "{\"about\":{\"trial\":true,\"installed\":true,"
            + "\"author\":{\"name\":\"EMQ\",\"email\":\"contact@emqx.io\",\"company\":\"\",\"website\":\"\"},"
            + "\"helpUrl\":{\"en\":\"https://e/en\",\"zh\":\"https://e/zh\"},"
            + "\"description\":{\"en\":\"Random \\u003cdata\\u003e\",\"zh\":\"\"}},"
            + "\"libs\":null,\"dataSource\":{\"default\":\"topic\"},"
            + "\"properties\":{\"alt\":null,\"default\":["
            + "{\"exist\":false,\"name\":\"interval\",\"default\":1000,\"type\":\"int\","
            + "\"control\":\"text\",\"connection_related\":false,\"optional\":false,"
            + "\"values\":null,\"hint\":{\"en\":\"ms\",\"zh\":\"毫秒\"},"
            + "\"label\":{\"en\":\"Interval\",\"zh\":\"间隔\"}},"
            + "{\"exist\":false,\"name\":\"pattern\",\"default\":["
            + "{\"exist\":false,\"name\":\"count\",\"default\":50,\"type\":\"int\",\"control\":\"\","
            + "\"connection_related\":false,\"optional\":false,\"values\":null,\"hint\":null,"
            + "\"label\":null}],\"type\":\"\",\"control\":\"\",\"connection_related\":false,"
            + "\"optional\":false,\"values\":{\"a\":2,\"b\":1},\"hint\":null,\"label\":null}]},"
            + "\"node\":{\"category\":\"source\",\"label\":{\"en_US\":\"Random\",\"zh_CN\":\"随机\"}},"
            + "\"type\":\"native\"}",
        s(PluginMetadata.item(entry, true).orElseThrow()));
  }

  @Test
  void aSinkItemHasItsPropertiesAsAListAndNoDataSource() throws IOException {
    var entry =
        new PluginMetadata.Entry(
            "print",
            "portable",
            file(
                "print.json",
                "{\"about\":{},\"dataSource\":1,\"properties\":[{\"name\":\"x\"}],\"node\":null}"));
    assertEquals(
        "{\"about\":{\"trial\":false,\"installed\":true,\"author\":null,\"helpUrl\":null,"
            + "\"description\":null},\"libs\":null,\"properties\":[{\"exist\":false,\"name\":\"x\","
            + "\"default\":null,\"type\":\"\",\"control\":\"\",\"connection_related\":false,"
            + "\"optional\":false,\"values\":null,\"hint\":null,\"label\":null}],\"node\":null,"
            + "\"type\":\"portable\"}",
        s(PluginMetadata.item(entry, false).orElseThrow()));
  }

  @Test
  void theListIsSortedByNameAndLeavesOutFilesWithoutAboutOrUnusable() throws IOException {
    List<PluginMetadata.Entry> entries =
        List.of(
            new PluginMetadata.Entry("zmq", "native", file("zmq.json", "{\"about\":{}}")),
            new PluginMetadata.Entry("noabout", "native", file("noabout.json", "{}")),
            new PluginMetadata.Entry("broken", "native", file("broken.json", "{not json")),
            new PluginMetadata.Entry("gone", "native", dir.resolve("gone.json")),
            new PluginMetadata.Entry("pyjson", "portable", file("pyjson.json", RANDOM)));
    assertEquals(
        "[{\"name\":\"pyjson\",\"about\":{\"trial\":true,\"installed\":true,"
            + "\"author\":{\"name\":\"EMQ\",\"email\":\"contact@emqx.io\",\"company\":\"\",\"website\":\"\"},"
            + "\"helpUrl\":{\"en\":\"https://e/en\",\"zh\":\"https://e/zh\"},"
            + "\"description\":{\"en\":\"Random \\u003cdata\\u003e\",\"zh\":\"\"}},\"type\":\"portable\"},"
            + "{\"name\":\"zmq\",\"about\":{\"trial\":false,\"installed\":true,\"author\":null,"
            + "\"helpUrl\":null,\"description\":null},\"type\":\"native\"}]",
        s(PluginMetadata.list(entries)));
    assertEquals("[]", s(PluginMetadata.list(List.of())));
  }

  @Test
  void functionsAreTheInstalledFilesAsTheyAreInOneArray() throws IOException {
    String geo = "{\"about\":{},\n \"functions\":[{\"name\":\"geohash\"}]}\n";
    List<PluginMetadata.Entry> entries =
        List.of(
            new PluginMetadata.Entry("geo", "native", file("geo.json", geo)),
            new PluginMetadata.Entry("bad", "native", file("bad.json", "[1]")),
            new PluginMetadata.Entry("echo", "portable", file("echo.json", "{\"functions\":[]}")));
    assertEquals("[{\"functions\":[]}," + geo + "]", s(PluginMetadata.functions(entries)));
    assertEquals("[]", s(PluginMetadata.functions(List.of())));
  }

  @Test
  void aFileOverOneMebibyteIsRefusedAndOneAtTheLimitIsRead() throws Exception {
    String pad = " ".repeat(PluginMetadata.MAX_BYTES - 2);
    Path atLimit = file("ok.json", "{" + pad + "}");
    assertEquals(PluginMetadata.MAX_BYTES, PluginMetadata.read(atLimit, "ok.json").get().length);
    Path over = file("big.json", "{" + pad + " }");
    var e =
        assertThrows(PluginMetadata.Unusable.class, () -> PluginMetadata.read(over, "big.json"));
    assertEquals("big.json is larger than 1048576 bytes", e.getMessage());
    assertTrue(PluginMetadata.read(dir.resolve("none.json"), "none.json").isEmpty());
    assertTrue(
        PluginMetadata.list(List.of(new PluginMetadata.Entry("big", "native", over))).length == 2);
  }

  @Test
  void theNotFoundTextFollowsContentLanguageAsEkuipersDoes() {
    assertEquals("This plugin was not found:x", PluginMetadata.notFound(null, "x"));
    assertEquals("This plugin was not found:x", PluginMetadata.notFound("en-US", "x"));
    assertEquals("没有找到这个插件：x", PluginMetadata.notFound("zh-CN", "x"));
    assertEquals("x", PluginMetadata.notFound("fr_FR", "x"));
  }
}
