package dev.kpm.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Assertions on the kpm home folder and registry after an install, update or drop. */
public final class HomeAssertions {
  private HomeAssertions() {}

  /** Every regular file below {@code dir}, relative to it, sorted; [] when it does not exist. */
  public static List<String> files(Path dir) {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Nothing of plugin {@code name} of {@code type} anywhere: no file in plugins/etc/data whose name
   * starts with it (either case of the first letter), no staging leftovers, no row, no symbol owned
   * by it, no RUNNING install.
   */
  public static void assertNoTrace(TestKpm kpm, String type, String name) {
    Path home = kpm.home();
    String folder = type.equals("portables") ? "portable" : type;
    String lower = name.toLowerCase(Locale.ROOT).substring(0, 1) + name.substring(1);
    String upper = name.toUpperCase(Locale.ROOT).substring(0, 1) + name.substring(1);
    for (String dir : List.of("plugins/" + folder, "etc/" + folder, "data/" + folder)) {
      for (String f : files(home.resolve(dir))) {
        assertTrue(
            !f.startsWith(lower) && !f.startsWith(upper), () -> dir + "/" + f + " left behind");
      }
    }
    assertEquals(List.of(), files(home.resolve(".kpm/staging")), "staging left behind");
    assertEquals(
        0,
        kpm.count(
            "SELECT count(*) FROM plugin WHERE type = '" + type + "' AND name = '" + name + "'"));
    assertEquals(
        0,
        kpm.count(
            "SELECT count(*) FROM install_record WHERE state = 'RUNNING' AND plugin_name = '"
                + name
                + "'"));
  }
}
