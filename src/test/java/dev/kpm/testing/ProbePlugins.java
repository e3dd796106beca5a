package dev.kpm.testing;

import dev.kpm.testing.TestPlugins.Entry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Portable plugin zips around the libnng probe ({@link Probe}): the binary itself under the
 * plugin's name (the probe takes its name from {@code argv[0]}), or a shell script that starts it
 * with probe settings in its environment.
 */
public final class ProbePlugins {
  private ProbePlugins() {}

  /** {@code <name>.json}, the probe as executable {@code <name>}, and the counter source's yaml. */
  public static Path zip(Path dir, String name, String version) {
    try {
      return zip(dir, name, version, new Entry(name, Files.readAllBytes(Probe.binary()), 0100755));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * As {@link #zip(Path, String, String)}, the executable a script that runs the probe with {@code
   * env} (say, {@code PROBE_COMMAND_DELAY_MS=3000}) in its environment.
   */
  public static Path withEnvironment(Path dir, String name, String version, String env) {
    String script =
        "#!/bin/sh\nPROBE_NAME=" + name + " " + env + " exec '" + Probe.binary() + "' \"$@\"\n";
    return zip(dir, name, version, new Entry(name, script.getBytes(), 0100755));
  }

  /** A plugin whose executable ends at once with status 2: its first start fails. */
  public static Path failing(Path dir, String name) {
    return zip(dir, name, "v1.0.0", new Entry(name, "#!/bin/sh\nexit 2\n".getBytes(), 0100755));
  }

  private static Path zip(Path dir, String name, String version, Entry executable) {
    return TestPlugins.zip(
        dir.resolve(name + "-" + version + "-" + System.nanoTime() + ".zip"),
        List.of(
            Entry.file(
                name + ".json",
                "{\"version\":\""
                    + version
                    + "\",\"language\":\"go\",\"executable\":\""
                    + name
                    + "\",\"sources\":[\"counter\"],\"sinks\":[\"print\"],\"functions\":[\"echo\"]}"),
            executable,
            Entry.file("sources/counter.yaml", "default:\n  interval: 100\n")));
  }

  /** eKuiper's Control JSON starting the probe's counter source for {@code rule}. */
  public static String counter(String rule) {
    return "{\"symbolName\":\"counter\",\"meta\":{\"ruleId\":\""
        + rule
        + "\",\"opId\":\"op\",\"instanceId\":0},\"pluginType\":\"source\","
        + "\"config\":{\"interval\":100}}";
  }
}
