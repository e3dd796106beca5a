package dev.kpm.compat;

import dev.kpm.testing.GoFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs the real Go host fixture on a plugin: what {@code plugin.Open} really says. */
record RealHost(int exitCode, String output) {

  static RealHost open(String host, Path plugin) {
    try {
      Process p =
          new ProcessBuilder(GoFixtures.get(host).toString(), plugin.toString())
              .redirectErrorStream(true)
              .start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("the host did not finish on " + plugin);
      }
      return new RealHost(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  boolean loaded() {
    return exitCode == 0 && output.equals("ok");
  }

  /** The package named by "plugin was built with a different version of package X", if any. */
  String namedPackage() {
    String marker = "plugin was built with a different version of package ";
    int at = output.indexOf(marker);
    return at < 0 ? null : output.substring(at + marker.length()).strip();
  }
}
