package dev.kpm.install.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A fresh plugin folder {@code home/root} to extract into, zips kept elsewhere, and the assertion
 * every refusal test makes: the same message from both verbs, and nothing written under home.
 */
final class ZipSandbox {
  static final ArchiveLimits DEFAULTS = ArchiveLimits.defaults();
  static final int MIB = 1 << 20;

  private final Path zips;
  private final Path home;
  private final Path root;
  private int fixtures;

  ZipSandbox(Path zips, Path home) throws IOException {
    this.zips = zips;
    this.home = home;
    this.root = Files.createDirectory(home.resolve("root"));
  }

  Path zips() {
    return zips;
  }

  Path home() {
    return home;
  }

  Path root() {
    return root;
  }

  /** A zip of these entries, sizes in both headers so {@code ZipBytes} can patch it. */
  Path zip(Entry... entries) {
    return TestPlugins.zipWithSizesInLocalHeaders(
        zips.resolve("fixture-" + (++fixtures) + ".zip"), entries);
  }

  /** Extracts every entry to {@code root/<entry name>}. */
  List<Path> extract(Path zip, ArchiveLimits limits) throws Exception {
    return SafeZip.extract(zip, limits, e -> List.of(root.resolve(e.name())), List.of(root));
  }

  void assertRefusedAndNothingWritten(Path zip, String message) throws Exception {
    assertRefusedAndNothingWritten(zip, DEFAULTS, message);
  }

  /** Both verbs refuse with the same message; extract writes nothing. */
  void assertRefusedAndNothingWritten(Path zip, ArchiveLimits limits, String message)
      throws Exception {
    ArchiveException inspected =
        assertThrows(ArchiveException.class, () -> SafeZip.inspect(zip, limits));
    assertEquals(message, inspected.getMessage());
    assertExtractRefusedAndNothingWritten(zip, limits, message);
  }

  void assertExtractRefusedAndNothingWritten(Path zip, ArchiveLimits limits, String message)
      throws Exception {
    ArchiveException extracted = assertThrows(ArchiveException.class, () -> extract(zip, limits));
    assertEquals(message, extracted.getMessage());
    assertNothingWritten();
  }

  /** Home holds only the empty plugin folder: no file, no folder, nothing beside it. */
  void assertNothingWritten() throws IOException {
    try (Stream<Path> all = Files.walk(home)) {
      assertEquals(Set.of(home, root), Set.copyOf(all.toList()));
    }
  }

  /** The permission bits of a file or folder in octal, e.g. "755", so failures read well. */
  static String mode(Path path) throws IOException {
    Set<PosixFilePermission> set = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
    int mode = 0;
    for (PosixFilePermission p : set) {
      mode |= 0400 >> p.ordinal();
    }
    return Integer.toOctalString(mode);
  }
}
