package dev.kpm.install.archive;

import static dev.kpm.install.archive.ZipSandbox.DEFAULTS;
import static dev.kpm.install.archive.ZipSandbox.MIB;
import static dev.kpm.install.archive.ZipSandbox.mode;
import static dev.kpm.testing.TestPlugins.Entry.file;
import static dev.kpm.testing.TestPlugins.Entry.folder;
import static dev.kpm.testing.TestPlugins.Entry.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extraction that succeeds: layout, modes, copies, inspect, and where destinations may lie. */
class SafeZipTest {
  @TempDir Path zips;
  @TempDir Path home;
  private ZipSandbox box;
  private Path root;

  @BeforeEach
  void sandbox() throws IOException {
    box = new ZipSandbox(zips, home);
    root = box.root();
  }

  @Test
  void nestedFileExtractsWithoutFolderEntries() throws Exception {
    Path zip = box.zip(file("a/b/c.txt", 0, "deep"));

    List<Path> written = box.extract(zip, DEFAULTS);

    Path c = root.resolve("a/b/c.txt");
    assertEquals(List.of(c), written);
    assertEquals("deep", Files.readString(c));
    assertEquals("755", mode(root.resolve("a")));
    assertEquals("755", mode(root.resolve("a/b")));
  }

  @Test
  void unixModesAreKeptNeverWidenedAndDefaultTo0644() throws Exception {
    Path zip =
        box.zip(
            file("exec", 0100755, "x"),
            file("secret", 0100600, "x"),
            file("group", 0100640, "x"),
            file("owner-only", 0100700, "x"),
            file("setuid", 0104755, "x"),
            file("plain", 0, "x"),
            file("read-only", 0100444, "x"));

    box.extract(zip, DEFAULTS);

    assertEquals("755", mode(root.resolve("exec")));
    assertEquals("600", mode(root.resolve("secret")));
    assertEquals("640", mode(root.resolve("group")));
    assertEquals("700", mode(root.resolve("owner-only")));
    assertEquals("755", mode(root.resolve("setuid")));
    assertEquals("644", mode(root.resolve("plain")));
    assertEquals("644", mode(root.resolve("read-only")), "the owner keeps read+write");
  }

  @Test
  void folderEntriesBecomeFoldersWithTheirModes() throws Exception {
    Path zip = box.zip(folder("d/", 040750), folder("e/", 0), folder("f/g/", 0));

    List<Path> written = box.extract(zip, DEFAULTS);

    assertEquals(List.of(), written, "folders are not listed as written files");
    assertEquals("750", mode(root.resolve("d")));
    assertEquals("755", mode(root.resolve("e")));
    assertEquals("755", mode(root.resolve("f/g")));
  }

  @Test
  void oneEntryIsWrittenToEveryDestination() throws Exception {
    Path etc = Files.createDirectory(home.resolve("etc"));
    Path data = Files.createDirectory(home.resolve("data"));
    Path zip = box.zip(file("etc/conf.yaml", 0100640, "key: value"));
    Function<ArchiveEntry, List<Path>> twoCopies =
        e -> List.of(etc.resolve("random/conf.yaml"), data.resolve("random/conf.yaml"));

    List<Path> written = SafeZip.extract(zip, DEFAULTS, twoCopies, List.of(etc, data));

    assertEquals(
        List.of(etc.resolve("random/conf.yaml"), data.resolve("random/conf.yaml")), written);
    for (Path copy : written) {
      assertEquals("key: value", Files.readString(copy));
      assertEquals("640", mode(copy));
    }
  }

  @Test
  void entryWithoutDestinationIsSkipped() throws Exception {
    Path zip = box.zip(file("keep.txt", 0, "k"), file("skip.txt", 0, "s"));
    Function<ArchiveEntry, List<Path>> onlyKeep =
        e -> e.name().equals("keep.txt") ? List.of(root.resolve("keep.txt")) : List.of();

    List<Path> written = SafeZip.extract(zip, DEFAULTS, onlyKeep, List.of(root));

    assertEquals(List.of(root.resolve("keep.txt")), written);
    assertFalse(Files.exists(root.resolve("skip.txt")));
  }

  @Test
  void existingFileAtDestinationIsReplaced() throws Exception {
    Files.writeString(root.resolve("a.txt"), "old content that is longer");
    Path zip = box.zip(file("a.txt", 0100644, "new"));

    box.extract(zip, DEFAULTS);

    assertEquals("new", Files.readString(root.resolve("a.txt")));
  }

  @Test
  void existingLinkAtDestinationIsReplacedNotFollowed() throws Exception {
    Path outside = Files.writeString(home.resolve("outside.txt"), "secret");
    Files.createSymbolicLink(root.resolve("a.txt"), outside);
    Path zip = box.zip(file("a.txt", 0, "new"));

    box.extract(zip, DEFAULTS);

    assertFalse(Files.isSymbolicLink(root.resolve("a.txt")));
    assertEquals("new", Files.readString(root.resolve("a.txt")));
    assertEquals("secret", Files.readString(outside));
  }

  @Test
  void inspectListsEntriesInCentralDirectoryOrderWithModesAndSizes() throws Exception {
    Path zip = box.zip(file("b.txt", 0100640, "hi"), folder("a/", 040755), file("c", 0104755, "x"));

    assertEquals(
        List.of(
            new ArchiveEntry("b.txt", false, 2, 0640),
            new ArchiveEntry("a/", true, 0, 0755),
            new ArchiveEntry("c", false, 1, 04755)),
        SafeZip.inspect(zip, DEFAULTS));
    box.assertNothingWritten();
  }

  @Test
  void zipWithoutModesReportsModeZero() throws Exception {
    Path zip = box.zip(file("plain.txt", 0, "p"));

    assertEquals(
        List.of(new ArchiveEntry("plain.txt", false, 1, 0)), SafeZip.inspect(zip, DEFAULTS));
  }

  @Test
  void highlyCompressibleEntryUnderTheRatioThresholdIsAccepted() throws Exception {
    Path zip = box.zip(zeros("zeros", MIB / 2));

    box.extract(zip, DEFAULTS);

    assertEquals(MIB / 2, Files.size(root.resolve("zeros")));
  }

  @Test
  void defaultLimitsAreThoseOfTheSpec() {
    assertEquals(new ArchiveLimits(10_000, 1L << 30, 1L << 20, 200), ArchiveLimits.defaults());
  }

  @Test
  void destinationOutsideTheAllowedRootsIsRefusedAndNothingIsWritten() throws Exception {
    Path zip = box.zip(file("good.txt", 0, "g"), file("x", 0, "evil"));
    Function<ArchiveEntry, List<Path>> escaping =
        e -> List.of(root.resolve(e.name().equals("x") ? "../x" : e.name()));

    ArchiveException e =
        assertThrows(
            ArchiveException.class, () -> SafeZip.extract(zip, DEFAULTS, escaping, List.of(root)));
    assertEquals("zip entry \"x\" escapes the plugin folder", e.getMessage());
    box.assertNothingWritten();
  }

  @Test
  void siblingFolderSharingTheRootsNamePrefixIsOutside() throws Exception {
    Path zip = box.zip(file("x", 0, "evil"));
    Function<ArchiveEntry, List<Path>> sibling = e -> List.of(home.resolve("rootkit/x"));

    ArchiveException e =
        assertThrows(
            ArchiveException.class, () -> SafeZip.extract(zip, DEFAULTS, sibling, List.of(root)));
    assertEquals("zip entry \"x\" escapes the plugin folder", e.getMessage());
    box.assertNothingWritten();
  }

  @Test
  void fileEntryCannotReplaceTheRootItself() throws Exception {
    Path zip = box.zip(file("x", 0, "evil"));
    Function<ArchiveEntry, List<Path>> theRoot = e -> List.of(root);

    ArchiveException e =
        assertThrows(
            ArchiveException.class, () -> SafeZip.extract(zip, DEFAULTS, theRoot, List.of(root)));
    assertEquals("zip entry \"x\" escapes the plugin folder", e.getMessage());
    assertTrue(Files.isDirectory(root));
  }

  @Test
  void folderLinkInsideTheRootPointingOutsideIsRefused() throws Exception {
    Path elsewhere = Files.createDirectory(home.resolve("elsewhere"));
    Files.createSymbolicLink(root.resolve("lib"), elsewhere);
    Path zip = box.zip(file("lib/sub/x.so", 0, "evil"));

    ArchiveException e = assertThrows(ArchiveException.class, () -> box.extract(zip, DEFAULTS));
    assertEquals("zip entry \"lib/sub/x.so\" escapes the plugin folder", e.getMessage());
    try (Stream<Path> inside = Files.list(elsewhere)) {
      assertEquals(List.of(), inside.toList());
    }
  }

  @Test
  void aLinkedFolderIsRefusedAfterFilesWentIntoCheckedFoldersBeside() throws Exception {
    Path elsewhere = Files.createDirectory(home.resolve("elsewhere"));
    Files.createDirectories(root.resolve("etc"));
    Files.createSymbolicLink(root.resolve("lib"), elsewhere);
    Path zip =
        box.zip(
            file("etc/a.conf", 0, "a"),
            file("etc/b.conf", 0, "b"),
            file("new/c.txt", 0, "c"),
            file("new/d.txt", 0, "d"),
            file("lib/x.so", 0, "evil"));

    ArchiveException e = assertThrows(ArchiveException.class, () -> box.extract(zip, DEFAULTS));
    assertEquals("zip entry \"lib/x.so\" escapes the plugin folder", e.getMessage());
    try (Stream<Path> inside = Files.list(elsewhere)) {
      assertEquals(List.of(), inside.toList());
    }
  }
}
