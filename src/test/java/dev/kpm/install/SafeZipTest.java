package dev.kpm.install;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SafeZipTest {
  private static final ArchiveLimits DEFAULTS = ArchiveLimits.defaults();
  private static final int MIB = 1 << 20;

  @TempDir Path zips;
  @TempDir Path home;
  private Path root;
  private int fixtures;

  @BeforeEach
  void createRoot() throws IOException {
    root = Files.createDirectory(home.resolve("root"));
  }

  // --- normal extraction

  @Test
  void nestedFileExtractsWithoutFolderEntries() throws Exception {
    Path zip = zip(file("a/b/c.txt", 0, "deep"));

    List<Path> written = extract(zip, DEFAULTS);

    Path c = root.resolve("a/b/c.txt");
    assertEquals(List.of(c), written);
    assertEquals("deep", Files.readString(c));
    assertEquals(0755, mode(root.resolve("a")));
    assertEquals(0755, mode(root.resolve("a/b")));
  }

  @Test
  void unixModesAreKeptNeverWidenedAndDefaultTo0644() throws Exception {
    Path zip =
        zip(
            file("exec", 0100755, "x"),
            file("secret", 0100600, "x"),
            file("group", 0100640, "x"),
            file("owner-only", 0100700, "x"),
            file("setuid", 0104755, "x"),
            file("plain", 0, "x"),
            file("read-only", 0100444, "x"));

    extract(zip, DEFAULTS);

    assertEquals(0755, mode(root.resolve("exec")));
    assertEquals(0600, mode(root.resolve("secret")));
    assertEquals(0640, mode(root.resolve("group")));
    assertEquals(0700, mode(root.resolve("owner-only")));
    assertEquals(0755, mode(root.resolve("setuid")));
    assertEquals(0644, mode(root.resolve("plain")));
    assertEquals(0644, mode(root.resolve("read-only")), "the owner keeps read+write");
  }

  @Test
  void folderEntriesBecomeFoldersWithTheirModes() throws Exception {
    Path zip = zip(folder("d/", 040750), folder("e/", 0), folder("f/g/", 0));

    List<Path> written = extract(zip, DEFAULTS);

    assertEquals(List.of(), written, "folders are not listed as written files");
    assertEquals(0750, mode(root.resolve("d")));
    assertEquals(0755, mode(root.resolve("e")));
    assertEquals(0755, mode(root.resolve("f/g")));
  }

  @Test
  void oneEntryIsWrittenToEveryDestination() throws Exception {
    Path etc = Files.createDirectory(home.resolve("etc"));
    Path data = Files.createDirectory(home.resolve("data"));
    Path zip = zip(file("etc/conf.yaml", 0100640, "key: value"));
    Function<ArchiveEntry, List<Path>> twoCopies =
        e -> List.of(etc.resolve("random/conf.yaml"), data.resolve("random/conf.yaml"));

    List<Path> written = SafeZip.extract(zip, DEFAULTS, twoCopies, List.of(etc, data));

    assertEquals(
        List.of(etc.resolve("random/conf.yaml"), data.resolve("random/conf.yaml")), written);
    for (Path copy : written) {
      assertEquals("key: value", Files.readString(copy));
      assertEquals(0640, mode(copy));
    }
  }

  @Test
  void entryWithoutDestinationIsSkipped() throws Exception {
    Path zip = zip(file("keep.txt", 0, "k"), file("skip.txt", 0, "s"));
    Function<ArchiveEntry, List<Path>> onlyKeep =
        e -> e.name().equals("keep.txt") ? List.of(root.resolve("keep.txt")) : List.of();

    List<Path> written = SafeZip.extract(zip, DEFAULTS, onlyKeep, List.of(root));

    assertEquals(List.of(root.resolve("keep.txt")), written);
    assertFalse(Files.exists(root.resolve("skip.txt")));
  }

  @Test
  void existingFileAtDestinationIsReplaced() throws Exception {
    Files.writeString(root.resolve("a.txt"), "old content that is longer");
    Path zip = zip(file("a.txt", 0100644, "new"));

    extract(zip, DEFAULTS);

    assertEquals("new", Files.readString(root.resolve("a.txt")));
  }

  @Test
  void existingLinkAtDestinationIsReplacedNotFollowed() throws Exception {
    Path outside = Files.writeString(home.resolve("outside.txt"), "secret");
    Files.createSymbolicLink(root.resolve("a.txt"), outside);
    Path zip = zip(file("a.txt", 0, "new"));

    extract(zip, DEFAULTS);

    assertFalse(Files.isSymbolicLink(root.resolve("a.txt")));
    assertEquals("new", Files.readString(root.resolve("a.txt")));
    assertEquals("secret", Files.readString(outside));
  }

  @Test
  void inspectListsEntriesInCentralDirectoryOrderWithModesAndSizes() throws Exception {
    Path zip = zip(file("b.txt", 0100640, "hi"), folder("a/", 040755), file("c", 0104755, "x"));

    assertEquals(
        List.of(
            new ArchiveEntry("b.txt", false, 2, 0640),
            new ArchiveEntry("a/", true, 0, 0755),
            new ArchiveEntry("c", false, 1, 04755)),
        SafeZip.inspect(zip, DEFAULTS));
    assertNothingWritten();
  }

  @Test
  void zipWithoutModesReportsModeZero() throws Exception {
    Path zip = zip(file("plain.txt", 0, "p"));

    assertEquals(
        List.of(new ArchiveEntry("plain.txt", false, 1, 0)), SafeZip.inspect(zip, DEFAULTS));
  }

  @Test
  void highlyCompressibleEntryUnderTheRatioThresholdIsAccepted() throws Exception {
    Path zip = zip(new Fixture("zeros", 0, new byte[MIB / 2], ZipEntry.DEFLATED));

    extract(zip, DEFAULTS);

    assertEquals(MIB / 2, Files.size(root.resolve("zeros")));
  }

  @Test
  void defaultLimitsAreThoseOfTheSpec() {
    assertEquals(new ArchiveLimits(10_000, 1L << 30, 1L << 20, 200), ArchiveLimits.defaults());
  }

  // --- refused archives: exact message, nothing written

  @ParameterizedTest
  @ValueSource(strings = {"/x", "/etc/passwd", "C:/x", "c:/windows/x.dll"})
  void absoluteEntryNamesAreRefusedAndNothingIsWritten(String name) throws Exception {
    Path zip = zip(file("good.txt", 0, "g"), file(name, 0, "evil"));

    assertRefusedAndNothingWritten(zip, "zip entry \"" + name + "\" has an absolute path");
  }

  @ParameterizedTest
  @ValueSource(strings = {"../x", "a/../../x", "a/..", "..", "../"})
  void dotDotSegmentsAreRefusedAndNothingIsWritten(String name) throws Exception {
    Path zip = zip(file("good.txt", 0, "g"), file(name, 0, "evil"));

    assertRefusedAndNothingWritten(zip, "zip entry \"" + name + "\" escapes the plugin folder");
  }

  // A Unix-made entry keeps its backslashes as stored; they separate segments like slashes do.
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\\x|has an absolute path",
        "C:\\x|has an absolute path",
        "a\\..\\..\\x|escapes the plugin folder",
        "a/..\\x|escapes the plugin folder"
      })
  void backslashNamesAreCheckedAsStoredAndNothingIsWritten(String name, String what)
      throws Exception {
    Path zip = zip(file("good.txt", 0, "g"), file(name.replace('\\', '/'), 0100644, "evil"));
    renameInBothHeaders(zip, name.replace('\\', '/'), name);

    assertRefusedAndNothingWritten(zip, "zip entry \"" + name + "\" " + what);
  }

  // commons-compress reads backslashes of a DOS/Windows-made entry without any slash as slashes.
  @Test
  void backslashNamesFromWindowsZipsAreReadAsSlashesAndStillRefused() throws Exception {
    Path zip = zip(file("good.txt", 0, "g"), file("a/../x", 0, "evil"));
    renameInBothHeaders(zip, "a/../x", "a\\..\\x");

    assertRefusedAndNothingWritten(zip, "zip entry \"a/../x\" escapes the plugin folder");
  }

  @Test
  void namesThatMerelyContainDotsAreAccepted() throws Exception {
    Path zip = zip(file("a..b/...txt", 0, "dots"), file("..hidden", 0, "h"));

    extract(zip, DEFAULTS);

    assertEquals("dots", Files.readString(root.resolve("a..b/...txt")));
    assertEquals("h", Files.readString(root.resolve("..hidden")));
  }

  @Test
  void symlinkEntryIsRefusedAndNothingIsWritten() throws Exception {
    Path zip = zip(file("good.txt", 0, "g"), file("link", 0120777, "/etc/passwd"));

    assertRefusedAndNothingWritten(zip, "zip entry \"link\" is a symbolic link");
  }

  @ParameterizedTest
  @ValueSource(ints = {0020644, 0060644, 0010644, 0140644}) // char device, block, fifo, socket
  void deviceFifoAndSocketEntriesAreRefusedAndNothingIsWritten(int mode) throws Exception {
    Path zip = zip(file("good.txt", 0, "g"), file("dev", mode, ""));

    assertRefusedAndNothingWritten(zip, "zip entry \"dev\" is not a regular file or folder");
  }

  @Test
  void emptyEntryNameIsRefusedAndNothingIsWritten() throws Exception {
    Path zip = zip(file("good.txt", 0, "g"), file("", 0, "nameless"));

    assertRefusedAndNothingWritten(zip, "zip has an entry with an empty name");
  }

  @Test
  void nulByteInEntryNameIsRefusedAndNothingIsWritten() throws Exception {
    Path zip = zip(file("good.txt", 0, "g"), file("a\0.so", 0, "nul"));

    assertRefusedAndNothingWritten(zip, "zip entry \"a\\u0000.so\" contains a NUL byte");
  }

  @ParameterizedTest
  @ValueSource(strings = {"good.txt", "./good.txt", "good.txt/", "./good.txt/"})
  void duplicateEntryNamesAreRefusedAndNothingIsWritten(String second) throws Exception {
    Path zip = zip(file("good.txt", 0, "g"), file(second, 0, "again"));

    assertRefusedAndNothingWritten(zip, "zip entry \"" + second + "\" appears more than once");
  }

  @Test
  void unsupportedCompressionMethodIsRefusedAndNothingIsWritten() throws Exception {
    Path zip = zip(file("good.txt", 0, "g"), file("odd.bin", 0, "data"));
    patchBothHeaders(zip, "odd.bin", 10, 8, 99, 2); // method field

    assertRefusedAndNothingWritten(
        zip, "zip entry \"odd.bin\" uses an unsupported compression method (99)");
  }

  @Test
  void encryptedEntryIsRefusedAndNothingIsWritten() throws Exception {
    Path zip = zip(file("good.txt", 0, "g"), file("locked.bin", 0, "data"));
    patchBothHeaders(zip, "locked.bin", 8, 6, 1, 2); // general purpose flag: bit 0 = encrypted

    assertRefusedAndNothingWritten(zip, "zip entry \"locked.bin\" is encrypted");
  }

  @Test
  void moreEntriesThanTheCapAreRefusedAndNothingIsWritten() throws Exception {
    ArchiveLimits three = new ArchiveLimits(3, MIB, MIB, 200);
    Path four = zip(file("1", 0, ""), file("2", 0, ""), file("3", 0, ""), file("4", 0, ""));
    Path exactlyThree = zip(file("1", 0, ""), file("2", 0, ""), file("3", 0, ""));

    assertRefusedAndNothingWritten(four, three, "zip has more than 3 entries");
    assertEquals(3, extract(exactlyThree, three).size());
  }

  @Test
  void declaredSizesOverTheTotalCapAreRefusedAndNothingIsWritten() throws Exception {
    ArchiveLimits small = new ArchiveLimits(10, 1000, MIB, 200);
    Path over = zip(file("a", 0, "a".repeat(600)), file("b", 0, "b".repeat(401)));
    Path exactly = zip(file("a", 0, "a".repeat(600)), file("b", 0, "b".repeat(400)));

    assertRefusedAndNothingWritten(over, small, "zip expands to more than 1000 bytes");
    assertEquals(2, extract(exactly, small).size());
  }

  @Test
  void actualBytesOverTheTotalCapAreRefusedWhenDeclaredSizesLie() throws Exception {
    ArchiveLimits small = new ArchiveLimits(10, 1000, MIB, 200);
    Path zip = zip(file("good.txt", 0, "g"), file("big", 0, "b".repeat(5000)));
    lieAboutSize(zip, "big", 10);
    assertEquals(10, SafeZip.inspect(zip, small).get(1).size(), "the lie passes inspection");

    assertExtractRefusedAndNothingWritten(zip, small, "zip expands to more than 1000 bytes");
  }

  @Test
  void zipBombIsRefusedByItsDeclaredRatioBeforeAnythingIsWritten() throws Exception {
    Path zip = zip(file("good.txt", 0, "g"), zeros("bomb.so", 20 * MIB));

    assertRefusedAndNothingWritten(zip, "zip entry \"bomb.so\" has a compression ratio over 200:1");
  }

  @Test
  void zipBombWithALiedSizeIsRefusedWhileStreamingAndNothingIsLeft() throws Exception {
    // With a 10 MiB total cap, only a check made while streaming names the ratio: 20 KiB of
    // deflated zeros pass 200:1 at 4 MiB, long before the end of the entry or the cap.
    ArchiveLimits tenMib = new ArchiveLimits(10_000, 10 * MIB, MIB, 200);
    Path zip = zip(file("good.txt", 0, "g"), zeros("bomb.so", 20 * MIB));
    lieAboutSize(zip, "bomb.so", 1000);
    assertEquals(1000, SafeZip.inspect(zip, tenMib).get(1).size(), "the lie passes inspection");

    assertExtractRefusedAndNothingWritten(
        zip, tenMib, "zip entry \"bomb.so\" has a compression ratio over 200:1");
  }

  @Test
  void ratioCountsBytesReallyInflatedWhenTheCompressedSizeLies() throws Exception {
    Path zip = zip(zeros("bomb.so", 2 * MIB), random("padding.bin", 64 * 1024));
    int compressed = (int) u32(Files.readAllBytes(zip), centralHeader(zip, "bomb.so") + 20);
    patchBothHeaders(zip, "bomb.so", 20, 18, 40 * 1024, 4); // 2 MiB / 40 KiB passes 200:1
    assertTrue(compressed * 200L < 2 * MIB, "the real ratio is over 200:1");

    assertExtractRefusedAndNothingWritten(
        zip, DEFAULTS, "zip entry \"bomb.so\" has a compression ratio over 200:1");
  }

  // --- broken archives

  @Test
  void emptyFileIsNotAZip() throws Exception {
    Path zip = Files.write(zips.resolve("empty.zip"), new byte[0]);

    assertRefusedAndNothingWritten(zip, "zip: not a valid zip file");
  }

  @Test
  void randomBytesAreNotAZip() throws Exception {
    byte[] bytes = new byte[4096];
    new Random(7).nextBytes(bytes);
    Path zip = Files.write(zips.resolve("random.zip"), bytes);

    assertRefusedAndNothingWritten(zip, "zip: not a valid zip file");
  }

  @Test
  void zipCutInHalfIsRefusedAsTruncated() throws Exception {
    Path zip = zip(file("a.txt", 0, "a".repeat(3000)), random("b.bin", 8000));
    byte[] bytes = Files.readAllBytes(zip);
    Files.write(zip, Arrays.copyOf(bytes, bytes.length / 2));

    ArchiveException e = assertThrows(ArchiveException.class, () -> extract(zip, DEFAULTS));
    assertTrue(
        e.getMessage().startsWith("zip: truncated or corrupt archive: "), () -> e.getMessage());
    assertNothingWritten();
  }

  @Test
  void crcMismatchIsRefusedAndFilesWrittenBeforeItAreRemoved() throws Exception {
    Path zip = zip(file("a/first.txt", 0, "fine"), stored("b.txt", "payload-to-corrupt"));
    flipFirstByteOf(zip, "payload-to-corrupt");
    assertEquals(2, SafeZip.inspect(zip, DEFAULTS).size(), "the central directory is intact");

    assertExtractRefusedAndNothingWritten(
        zip, DEFAULTS, "zip: truncated or corrupt archive: entry \"b.txt\" fails its CRC check");
  }

  @Test
  void corruptDeflateDataIsRefusedAndFilesWrittenBeforeItAreRemoved() throws Exception {
    Path zip = zip(file("first.txt", 0, "fine"), random("b.bin", 4096));
    byte[] bytes = Files.readAllBytes(zip);
    int local = (int) u32(bytes, centralHeader(zip, "b.bin") + 42);
    int data = local + 30 + u16(bytes, local + 26) + u16(bytes, local + 28); // name, extra field
    for (int i = data; i < data + 64; i++) {
      bytes[i] ^= 0x5a;
    }
    Files.write(zip, bytes);

    ArchiveException e = assertThrows(ArchiveException.class, () -> extract(zip, DEFAULTS));
    assertTrue(
        e.getMessage().startsWith("zip: truncated or corrupt archive: entry \"b.bin\" "),
        () -> e.getMessage());
    assertNothingWritten();
  }

  // --- destinations

  @Test
  void destinationOutsideTheAllowedRootsIsRefusedAndNothingIsWritten() throws Exception {
    Path zip = zip(file("good.txt", 0, "g"), file("x", 0, "evil"));
    Function<ArchiveEntry, List<Path>> escaping =
        e -> List.of(root.resolve(e.name().equals("x") ? "../x" : e.name()));

    ArchiveException e =
        assertThrows(
            ArchiveException.class, () -> SafeZip.extract(zip, DEFAULTS, escaping, List.of(root)));
    assertEquals("zip entry \"x\" escapes the plugin folder", e.getMessage());
    assertNothingWritten();
  }

  @Test
  void siblingFolderSharingTheRootsNamePrefixIsOutside() throws Exception {
    Path zip = zip(file("x", 0, "evil"));
    Function<ArchiveEntry, List<Path>> sibling = e -> List.of(home.resolve("rootkit/x"));

    ArchiveException e =
        assertThrows(
            ArchiveException.class, () -> SafeZip.extract(zip, DEFAULTS, sibling, List.of(root)));
    assertEquals("zip entry \"x\" escapes the plugin folder", e.getMessage());
    assertNothingWritten();
  }

  @Test
  void fileEntryCannotReplaceTheRootItself() throws Exception {
    Path zip = zip(file("x", 0, "evil"));
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
    Path zip = zip(file("lib/sub/x.so", 0, "evil"));

    ArchiveException e = assertThrows(ArchiveException.class, () -> extract(zip, DEFAULTS));
    assertEquals("zip entry \"lib/sub/x.so\" escapes the plugin folder", e.getMessage());
    try (Stream<Path> inside = Files.list(elsewhere)) {
      assertEquals(List.of(), inside.toList());
    }
  }

  // --- assertions

  private List<Path> extract(Path zip, ArchiveLimits limits) throws Exception {
    return SafeZip.extract(zip, limits, e -> List.of(root.resolve(e.name())), List.of(root));
  }

  private void assertRefusedAndNothingWritten(Path zip, String message) throws Exception {
    assertRefusedAndNothingWritten(zip, DEFAULTS, message);
  }

  /** Both verbs refuse with the same message; extract writes nothing. */
  private void assertRefusedAndNothingWritten(Path zip, ArchiveLimits limits, String message)
      throws Exception {
    ArchiveException inspected =
        assertThrows(ArchiveException.class, () -> SafeZip.inspect(zip, limits));
    assertEquals(message, inspected.getMessage());
    assertExtractRefusedAndNothingWritten(zip, limits, message);
  }

  private void assertExtractRefusedAndNothingWritten(Path zip, ArchiveLimits limits, String message)
      throws Exception {
    ArchiveException extracted = assertThrows(ArchiveException.class, () -> extract(zip, limits));
    assertEquals(message, extracted.getMessage());
    assertNothingWritten();
  }

  private void assertNothingWritten() throws IOException {
    try (Stream<Path> all = Files.walk(home)) {
      assertEquals(Set.of(home, root), Set.copyOf(all.toList()));
    }
  }

  private static int mode(Path path) throws IOException {
    Set<PosixFilePermission> set = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
    int mode = 0;
    for (PosixFilePermission p : set) {
      mode |= 0400 >> p.ordinal();
    }
    return mode;
  }

  // --- fixtures, built at test time

  private record Fixture(String name, int mode, byte[] data, int method) {}

  private static Fixture file(String name, int mode, String text) {
    return new Fixture(name, mode, text.getBytes(UTF_8), ZipEntry.DEFLATED);
  }

  private static Fixture folder(String name, int mode) {
    return new Fixture(name, mode, new byte[0], ZipEntry.DEFLATED);
  }

  private static Fixture stored(String name, String text) {
    return new Fixture(name, 0, text.getBytes(UTF_8), ZipEntry.STORED);
  }

  private static Fixture zeros(String name, int size) {
    return new Fixture(name, 0, new byte[size], ZipEntry.DEFLATED);
  }

  private static Fixture random(String name, int size) {
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    return new Fixture(name, 0, data, ZipEntry.DEFLATED);
  }

  private Path zip(Fixture... fixtures) throws IOException {
    Path zip = zips.resolve("fixture-" + (++this.fixtures) + ".zip");
    try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(zip)) {
      for (Fixture f : fixtures) {
        ZipArchiveEntry entry = new ZipArchiveEntry(f.name());
        if (f.mode() != 0) {
          entry.setUnixMode(f.mode());
        }
        entry.setMethod(f.method());
        out.putArchiveEntry(entry);
        out.write(f.data());
        out.closeArchiveEntry();
      }
    }
    return zip;
  }

  /** Replaces an entry's name in both headers by another of the same length in bytes. */
  private static void renameInBothHeaders(Path zip, String from, String to) throws IOException {
    byte[] bytes = Files.readAllBytes(zip);
    byte[] name = to.getBytes(UTF_8);
    int central = centralHeader(zip, from);
    int local = (int) u32(bytes, central + 42);
    System.arraycopy(name, 0, bytes, central + 46, name.length);
    System.arraycopy(name, 0, bytes, local + 30, name.length);
    Files.write(zip, bytes);
  }

  /** Declares {@code size} as the entry's uncompressed size in both of its headers. */
  private static void lieAboutSize(Path zip, String name, long size) throws IOException {
    patchBothHeaders(zip, name, 24, 22, size, 4);
  }

  /** Writes a little-endian field at the given offsets of the central and the local header. */
  private static void patchBothHeaders(
      Path zip, String name, int centralOffset, int localOffset, long value, int width)
      throws IOException {
    byte[] bytes = Files.readAllBytes(zip);
    int central = centralHeader(zip, name);
    int local = (int) u32(bytes, central + 42);
    for (int i = 0; i < width; i++) {
      bytes[central + centralOffset + i] = (byte) (value >>> (8 * i));
      bytes[local + localOffset + i] = (byte) (value >>> (8 * i));
    }
    Files.write(zip, bytes);
  }

  private static int centralHeader(Path zip, String name) throws IOException {
    byte[] bytes = Files.readAllBytes(zip);
    byte[] wanted = name.getBytes(UTF_8);
    for (int i = 0; i + 46 + wanted.length <= bytes.length; i++) {
      if (u32(bytes, i) == 0x02014b50L
          && Arrays.equals(bytes, i + 46, i + 46 + wanted.length, wanted, 0, wanted.length)) {
        return i;
      }
    }
    throw new AssertionError("no central directory header for " + name);
  }

  private static void flipFirstByteOf(Path zip, String text) throws IOException {
    byte[] bytes = Files.readAllBytes(zip);
    byte[] wanted = text.getBytes(UTF_8);
    for (int i = 0; i + wanted.length <= bytes.length; i++) {
      if (Arrays.equals(bytes, i, i + wanted.length, wanted, 0, wanted.length)) {
        bytes[i] ^= 0x01;
        Files.write(zip, bytes);
        return;
      }
    }
    throw new AssertionError("text not found in the zip: " + text);
  }

  private static int u16(byte[] bytes, int at) {
    return (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8;
  }

  private static long u32(byte[] bytes, int at) {
    return (bytes[at] & 0xffL)
        | (bytes[at + 1] & 0xffL) << 8
        | (bytes[at + 2] & 0xffL) << 16
        | (bytes[at + 3] & 0xffL) << 24;
  }
}
