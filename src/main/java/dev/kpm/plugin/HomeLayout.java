package dev.kpm.plugin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kpm home folder in eKuiper's layout, so an eKuiper engine pointed at the same folder loads
 * what kpm installed: {@code plugins/<type folder>}, {@code etc/<type>}, {@code data/<type>}, plus
 * kpm's own work area {@code .kpm/} (staging and downloads, on the same file system so that moves
 * into place are atomic renames).
 */
public record HomeLayout(Path base) {

  /** Creates every folder that is missing and returns the layout. */
  public static HomeLayout create(Path base) {
    HomeLayout layout = new HomeLayout(base.toAbsolutePath().normalize());
    try {
      for (Path dir : layout.folders()) {
        Files.createDirectories(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the kpm home folders below " + base, e);
    }
    return layout;
  }

  private List<Path> folders() {
    return List.of(
        plugins(PluginType.SOURCES),
        plugins(PluginType.SINKS),
        plugins(PluginType.FUNCTIONS),
        plugins(PluginType.PORTABLES),
        etc(PluginType.SOURCES),
        etc(PluginType.SINKS),
        etc(PluginType.FUNCTIONS),
        data(PluginType.SOURCES),
        data(PluginType.SINKS),
        data(PluginType.FUNCTIONS),
        uploads(),
        staging(),
        downloads());
  }

  /** {@code plugins/sources}, …, {@code plugins/portable}. */
  public Path plugins(PluginType type) {
    return base.resolve("plugins").resolve(type.folder());
  }

  /** {@code etc/sources} etc.; portable symbol configs also live below {@code etc/}. */
  public Path etc(PluginType type) {
    return base.resolve("etc").resolve(type.folder());
  }

  public Path data(PluginType type) {
    return base.resolve("data").resolve(type.folder());
  }

  /** {@code data/uploads}, where confined {@code file://} URLs must point. */
  public Path uploads() {
    return base.resolve("data").resolve("uploads");
  }

  public Path staging() {
    return base.resolve(".kpm").resolve("staging");
  }

  /** Where the test-only pause points signal (see the install pipeline's Pauses). */
  public Path pauses() {
    return base.resolve(".kpm").resolve("pauses");
  }

  /** Records of the child processes kpm runs, so a later start can stop what a kill left. */
  public Path children() {
    return base.resolve(".kpm").resolve("children");
  }

  public Path downloads() {
    return base.resolve(".kpm").resolve("downloads");
  }
}
