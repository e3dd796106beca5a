package dev.kpm.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The real libnng plugin peer, the project's own fixture in {@code src/test/native/portable-probe},
 * built once per JVM into {@code target/probe}. Needs gcc, make, libnng-dev and libcjson-dev; fails
 * loudly naming them when the build fails.
 */
public final class Probe {
  private static Path binary;

  private Probe() {}

  public static synchronized Path binary() {
    if (binary == null) {
      binary = build();
    }
    return binary;
  }

  private static Path build() {
    Path project = Path.of("").toAbsolutePath();
    Path source = project.resolve("src/test/native/portable-probe");
    Path out = project.resolve("target/probe");
    try {
      Files.createDirectories(out);
      Process make =
          new ProcessBuilder("make", "-C", source.toString(), "OUT=" + out)
              .redirectErrorStream(true)
              .start();
      String log = new String(make.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!make.waitFor(120, TimeUnit.SECONDS) || make.exitValue() != 0) {
        throw new IllegalStateException(
            "cannot build the portable probe from "
                + source
                + " (apt-get install gcc make libnng-dev libcjson-dev):\n"
                + log);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run make (apt-get install make gcc)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return out.resolve("portable-probe");
  }
}
