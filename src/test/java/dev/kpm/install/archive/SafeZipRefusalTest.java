package dev.kpm.install.archive;

import static dev.kpm.install.archive.ZipSandbox.DEFAULTS;
import static dev.kpm.install.archive.ZipSandbox.mode;
import static dev.kpm.testing.TestPlugins.Entry.file;
import static dev.kpm.testing.TestPlugins.Entry.random;
import static dev.kpm.testing.TestPlugins.Entry.stored;
import static dev.kpm.testing.ZipBytes.centralHeader;
import static dev.kpm.testing.ZipBytes.flipFirstByteOf;
import static dev.kpm.testing.ZipBytes.patchBothHeaders;
import static dev.kpm.testing.ZipBytes.renameInBothHeaders;
import static dev.kpm.testing.ZipBytes.u16;
import static dev.kpm.testing.ZipBytes.u32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Hostile entries and broken archives: refused with an exact message, nothing written. */
class SafeZipRefusalTest {
  @TempDir Path zips;
  @TempDir Path home;
  private ZipSandbox box;
  private Path root;

  @BeforeEach
  void sandbox() throws IOException {
    box = new ZipSandbox(zips, home);
    root = box.root();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/x", "/etc/passwd", "C:/x", "c:/windows/x.dll"})
  void absoluteEntryNamesAreRefusedAndNothingIsWritten(String name) throws Exception {
    Path zip = box.zip(file("good.txt", 0, "g"), file(name, 0, "evil"));

    box.assertRefusedAndNothingWritten(zip, "zip entry \"" + name + "\" has an absolute path");
  }

  @ParameterizedTest
  @ValueSource(strings = {"../x", "a/../../x", "a/..", "..", "../"})
  void dotDotSegmentsAreRefusedAndNothingIsWritten(String name) throws Exception {
    Path zip = box.zip(file("good.txt", 0, "g"), file(name, 0, "evil"));

    box.assertRefusedAndNothingWritten(zip, "zip entry \"" + name + "\" escapes the plugin folder");
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
    Path zip = box.zip(file("good.txt", 0, "g"), file(name.replace('\\', '/'), 0100644, "evil"));
    renameInBothHeaders(zip, name.replace('\\', '/'), name);

    box.assertRefusedAndNothingWritten(zip, "zip entry \"" + name + "\" " + what);
  }

  // commons-compress reads backslashes of a DOS/Windows-made entry without any slash as slashes.
  @Test
  void backslashNamesFromWindowsZipsAreReadAsSlashesAndStillRefused() throws Exception {
    Path zip = box.zip(file("good.txt", 0, "g"), file("a/../x", 0, "evil"));
    renameInBothHeaders(zip, "a/../x", "a\\..\\x");

    box.assertRefusedAndNothingWritten(zip, "zip entry \"a/../x\" escapes the plugin folder");
  }

  @Test
  void namesThatMerelyContainDotsAreAccepted() throws Exception {
    Path zip = box.zip(file("a..b/...txt", 0, "dots"), file("..hidden", 0, "h"));

    box.extract(zip, DEFAULTS);

    assertEquals("dots", Files.readString(root.resolve("a..b/...txt")));
    assertEquals("h", Files.readString(root.resolve("..hidden")));
  }

  @Test
  void symlinkEntryIsRefusedAndNothingIsWritten() throws Exception {
    Path zip = box.zip(file("good.txt", 0, "g"), file("link", 0120777, "/etc/passwd"));

    box.assertRefusedAndNothingWritten(zip, "zip entry \"link\" is a symbolic link");
  }

  @ParameterizedTest
  @ValueSource(ints = {0020644, 0060644, 0010644, 0140644}) // char device, block, fifo, socket
  void deviceFifoAndSocketEntriesAreRefusedAndNothingIsWritten(int mode) throws Exception {
    Path zip = box.zip(file("good.txt", 0, "g"), file("dev", mode, ""));

    box.assertRefusedAndNothingWritten(zip, "zip entry \"dev\" is not a regular file or folder");
  }

  @Test
  void emptyEntryNameIsRefusedAndNothingIsWritten() throws Exception {
    Path zip = box.zip(file("good.txt", 0, "g"), file("", 0, "nameless"));

    box.assertRefusedAndNothingWritten(zip, "zip has an entry with an empty name");
  }

  @Test
  void nulByteInEntryNameIsRefusedAndNothingIsWritten() throws Exception {
    Path zip = box.zip(file("good.txt", 0, "g"), file("a\0.so", 0, "nul"));

    box.assertRefusedAndNothingWritten(zip, "zip entry \"a\\u0000.so\" contains a NUL byte");
  }

  @ParameterizedTest
  @ValueSource(strings = {"good.txt", "./good.txt", "good.txt/", "./good.txt/"})
  void duplicateEntryNamesAreRefusedAndNothingIsWritten(String second) throws Exception {
    Path zip = box.zip(file("good.txt", 0, "g"), file(second, 0, "again"));

    box.assertRefusedAndNothingWritten(zip, "zip entry \"" + second + "\" appears more than once");
  }

  @Test
  void unsupportedCompressionMethodIsRefusedAndNothingIsWritten() throws Exception {
    Path zip = box.zip(file("good.txt", 0, "g"), file("odd.bin", 0, "data"));
    patchBothHeaders(zip, "odd.bin", 10, 8, 99, 2); // method field

    box.assertRefusedAndNothingWritten(
        zip, "zip entry \"odd.bin\" uses an unsupported compression method (99)");
  }

  @Test
  void encryptedEntryIsRefusedAndNothingIsWritten() throws Exception {
    Path zip = box.zip(file("good.txt", 0, "g"), file("locked.bin", 0, "data"));
    patchBothHeaders(zip, "locked.bin", 8, 6, 1, 2); // general purpose flag: bit 0 = encrypted

    box.assertRefusedAndNothingWritten(zip, "zip entry \"locked.bin\" is encrypted");
  }

  @Test
  void emptyFileIsNotAZip() throws Exception {
    Path zip = Files.write(box.zips().resolve("empty.zip"), new byte[0]);

    box.assertRefusedAndNothingWritten(zip, "zip: not a valid zip file");
  }

  @Test
  void randomBytesAreNotAZip() throws Exception {
    byte[] bytes = new byte[4096];
    new Random(7).nextBytes(bytes);
    Path zip = Files.write(box.zips().resolve("random.zip"), bytes);

    box.assertRefusedAndNothingWritten(zip, "zip: not a valid zip file");
  }

  @Test
  void zipCutInHalfIsRefusedAsTruncated() throws Exception {
    Path zip = box.zip(file("a.txt", 0, "a".repeat(3000)), random("b.bin", 8000));
    byte[] bytes = Files.readAllBytes(zip);
    Files.write(zip, Arrays.copyOf(bytes, bytes.length / 2));

    ArchiveException e = assertThrows(ArchiveException.class, () -> box.extract(zip, DEFAULTS));
    assertTrue(
        e.getMessage().startsWith("zip: truncated or corrupt archive: "), () -> e.getMessage());
    box.assertNothingWritten();
  }

  @Test
  void crcMismatchIsRefusedAndFilesWrittenBeforeItAreRemoved() throws Exception {
    Path zip = box.zip(file("a/first.txt", 0, "fine"), stored("b.txt", "payload-to-corrupt"));
    flipFirstByteOf(zip, "payload-to-corrupt");
    assertEquals(2, SafeZip.inspect(zip, DEFAULTS).size(), "the central directory is intact");

    box.assertExtractRefusedAndNothingWritten(
        zip, DEFAULTS, "zip: truncated or corrupt archive: entry \"b.txt\" fails its CRC check");
  }

  @Test
  void anEntryWithoutDestinationIsStillReadAndChecked() throws Exception {
    Path zip = box.zip(file("a/first.txt", 0, "fine"), stored("b.txt", "payload-to-corrupt"));
    flipFirstByteOf(zip, "payload-to-corrupt");

    ArchiveException e =
        assertThrows(
            ArchiveException.class,
            () ->
                SafeZip.extract(
                    zip,
                    DEFAULTS,
                    entry ->
                        entry.name().equals("b.txt")
                            ? List.of()
                            : List.of(root.resolve(entry.name())),
                    List.of(root)));
    assertEquals(
        "zip: truncated or corrupt archive: entry \"b.txt\" fails its CRC check", e.getMessage());
    box.assertNothingWritten();
  }

  @Test
  void corruptDeflateDataIsRefusedAndFilesWrittenBeforeItAreRemoved() throws Exception {
    Path zip = box.zip(file("first.txt", 0, "fine"), random("b.bin", 4096));
    byte[] bytes = Files.readAllBytes(zip);
    int local = (int) u32(bytes, centralHeader(zip, "b.bin") + 42);
    int data = local + 30 + u16(bytes, local + 26) + u16(bytes, local + 28); // name, extra field
    for (int i = data; i < data + 64; i++) {
      bytes[i] ^= 0x5a;
    }
    Files.write(zip, bytes);

    ArchiveException e = assertThrows(ArchiveException.class, () -> box.extract(zip, DEFAULTS));
    assertTrue(
        e.getMessage().startsWith("zip: truncated or corrupt archive: entry \"b.bin\" "),
        () -> e.getMessage());
    box.assertNothingWritten();
  }
}
