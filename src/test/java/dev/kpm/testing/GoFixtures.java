package dev.kpm.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The Go plugin fixtures of {@code dev.kpm.compat}, built from {@code src/test/go} by {@code
 * build.sh} once per JVM into {@code target/go-fixtures} (the script skips the build when nothing
 * changed). Offline: Go 1.19, patchelf and gcc; fails loudly naming them when the build fails.
 */
public final class GoFixtures {
  /**
   * A plugin-capable host importing "plugin" and kpmlib v1; {@code host <so>} prints ok or the
   * error.
   */
  public static final String HOST = "host";

  /** The same host linked with {@code -ldflags=-s -w}. */
  public static final String HOST_STRIPPED = "host-stripped";

  /** The host built against kpmlib v2, like an upgraded engine: plugin-ok.so no longer loads. */
  public static final String HOST_V2 = "host-v2";

  /** Same kpmlib v1 and flags as the host: loads. */
  public static final String PLUGIN_OK = "plugin-ok.so";

  /** Built against kpmlib v2 (a changed API). */
  public static final String PLUGIN_MODULE = "plugin-module.so";

  /**
   * Built by a copy of the toolchain with one more exported function in runtime, internal/abi and
   * runtime/internal/atomic (the loader meets the last first; by name it comes last).
   */
  public static final String PLUGIN_TOOLCHAIN = "plugin-toolchain.so";

  /** Built with {@code -trimpath}. */
  public static final String PLUGIN_TRIMPATH = "plugin-trimpath.so";

  /** Built with {@code -tags kpmextra}, which selects another file of kpmlib. */
  public static final String PLUGIN_TAG = "plugin-tag.so";

  /** Built with {@code -ldflags=-s -w}, otherwise like plugin-ok. */
  public static final String PLUGIN_STRIPPED = "plugin-stripped.so";

  /** plugin-ok with its libc.so.6 need replaced by libc.musl-x86_64.so.1 (patchelf). */
  public static final String PLUGIN_MUSL = "plugin-musl.so";

  /** A C shared object built by gcc. */
  public static final String C_LIB = "c-lib.so";

  /** 70 bytes of text named .so. */
  public static final String TEXT = "text.so";

  private static Path dir;

  private GoFixtures() {}

  /** The fixture named {@code name} (one of the constants), built first if needed. */
  public static Path get(String name) {
    Path file = dir().resolve(name);
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("no Go fixture " + file);
    }
    return file;
  }

  /** {@code target/go-fixtures}, built once per JVM. */
  public static synchronized Path dir() {
    if (dir == null) {
      dir = build();
    }
    return dir;
  }

  private static Path build() {
    Path project = Path.of("").toAbsolutePath();
    Path script = project.resolve("src/test/go/build.sh");
    Path out = project.resolve("target/go-fixtures");
    try {
      Files.createDirectories(out);
      Process build =
          new ProcessBuilder("sh", script.toString(), out.toString())
              .redirectErrorStream(true)
              .start();
      String log = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!build.waitFor(600, TimeUnit.SECONDS) || build.exitValue() != 0) {
        build.destroyForcibly();
        throw new IllegalStateException(
            "cannot build the Go fixtures from "
                + script
                + " (apt-get install golang-go patchelf gcc):\n"
                + log);
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run " + script + " (apt-get install golang-go patchelf gcc)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return out;
  }
}
