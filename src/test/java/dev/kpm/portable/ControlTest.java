package dev.kpm.portable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kpm.plugin.PluginException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The control commands, command lines and journal of the portable host, byte for byte. */
class ControlTest {

  private static String command(Control c, String cmd) {
    return new String(c.command(cmd), StandardCharsets.UTF_8);
  }

  @Test
  void aFunctionStartIsTheCapturedBytesOfTheProtocolDocument() {
    assertEquals(
        "{\"cmd\":\"start\",\"arg\":\"{\\\"symbolName\\\":\\\"echo\\\",\\\"meta\\\":{\\\"ruleId\\\":"
            + "\\\"\\\",\\\"opId\\\":\\\"\\\",\\\"instanceId\\\":0},\\\"pluginType\\\":\\\"func\\\"}\"}",
        command(Control.function("echo"), "start"));
  }

  @Test
  void aSourceStartCarriesDataSourceAndConfigInGosFieldOrder() {
    Control c =
        Control.parse(
            "{\"config\":{\"abc\":1},\"pluginType\":\"source\",\"dataSource\":\"topic\","
                + "\"meta\":{\"instanceId\":0,\"opId\":\"op1\",\"ruleId\":\"rule1\"},"
                + "\"symbolName\":\"symbol1\"}");
    assertEquals(
        "{\"cmd\":\"stop\",\"arg\":\"{\\\"symbolName\\\":\\\"symbol1\\\",\\\"meta\\\":{\\\"ruleId\\\":"
            + "\\\"rule1\\\",\\\"opId\\\":\\\"op1\\\",\\\"instanceId\\\":0},\\\"pluginType\\\":"
            + "\\\"source\\\",\\\"dataSource\\\":\\\"topic\\\",\\\"config\\\":{\\\"abc\\\":1}}\"}",
        command(c, "stop"));
    assertEquals("rule1_op1_0", c.key());
  }

  @Test
  void aSourceWithoutRuleOrOperatorIsRefused() {
    PluginException e =
        assertThrows(
            PluginException.class,
            () -> Control.parse("{\"symbolName\":\"s\",\"pluginType\":\"source\"}"));
    assertEquals("invalid control json: meta.ruleId and meta.opId are required", e.getMessage());
  }

  @Test
  void referenceCountsArePerRuleAndFunctionsAreNotCounted() {
    Journal journal = new Journal();
    Control source = new Control("counter", "r1", "s", 0, "source", "", null);
    Control sink = new Control("print", "r1", "p", 0, "sink", "", null);
    journal.started(source);
    journal.started(source);
    journal.started(sink);
    journal.started(Control.function("echo"));
    journal.started(Control.function("upper"));
    assertEquals("{r1=2}", journal.refCount().toString());
    assertEquals(4, journal.replay().size(), "functions are journaled per symbol");
    journal.stopped(source);
    journal.stopped(sink);
    assertEquals("{}", journal.refCount().toString());
  }

  @Test
  void commandLinesFollowTheLanguage() throws Exception {
    Path exe = Path.of("/p/plugins/portable/x/x.py");
    assertEquals(
        List.of("/p/plugins/portable/x/x.py", "{\"sendTimeout\":1000}"),
        PortableProcess.command(new PortablePlugin("x", "go", exe, null, null), "python3"));
    assertEquals(
        List.of("python3", "-u", "/p/plugins/portable/x/x.py", "{\"sendTimeout\":1000}"),
        PortableProcess.command(new PortablePlugin("x", "python", exe, null, null), "python3"));
    assertEquals(
        List.of(
            "conda",
            "run",
            "-n",
            "py38",
            "python3",
            "/p/plugins/portable/x/x.py",
            "{\"sendTimeout\":1000}"),
        PortableProcess.command(
            new PortablePlugin("x", "python", exe, "conda", "py38"), "python3"));
    assertEquals(
        "unsupported virtual type: venv",
        assertThrows(
                PortableStartException.class,
                () ->
                    PortableProcess.command(
                        new PortablePlugin("x", "python", exe, "venv", "e"), "python3"))
            .getMessage());
  }
}
