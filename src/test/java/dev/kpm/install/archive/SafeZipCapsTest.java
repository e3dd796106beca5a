package dev.kpm.install.archive;

import static dev.kpm.install.archive.ZipSandbox.DEFAULTS;
import static dev.kpm.install.archive.ZipSandbox.MIB;
import static dev.kpm.testing.TestPlugins.Entry.file;
import static dev.kpm.testing.TestPlugins.Entry.random;
import static dev.kpm.testing.TestPlugins.Entry.zeros;
import static dev.kpm.testing.ZipBytes.centralHeader;
import static dev.kpm.testing.ZipBytes.lieAboutSize;
import static dev.kpm.testing.ZipBytes.patchBothHeaders;
import static dev.kpm.testing.ZipBytes.u32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The caps of docs/api.md §9.10: entries, total bytes and compression ratio, also when sizes lie.
 */
class SafeZipCapsTest {
  @TempDir Path zips;
  @TempDir Path home;
  private ZipSandbox box;

  @BeforeEach
  void sandbox() throws IOException {
    box = new ZipSandbox(zips, home);
  }

  @Test
  void moreEntriesThanTheCapAreRefusedAndNothingIsWritten() throws Exception {
    ArchiveLimits three = new ArchiveLimits(3, MIB, MIB, 200);
    Path four = box.zip(file("1", 0, ""), file("2", 0, ""), file("3", 0, ""), file("4", 0, ""));
    Path exactlyThree = box.zip(file("1", 0, ""), file("2", 0, ""), file("3", 0, ""));

    box.assertRefusedAndNothingWritten(four, three, "zip has more than 3 entries");
    assertEquals(3, box.extract(exactlyThree, three).size());
  }

  @Test
  void theEntryCapHoldsBeforeTheZipIsParsed() throws Exception {
    ArchiveLimits three = new ArchiveLimits(3, MIB, MIB, 200);
    Path four = box.zip(file("1", 0, ""), file("2", 0, ""), file("3", 0, ""), file("4", 0, ""));
    // The end record says the directory starts past the file's end: a parser gives up on it, the
    // count finds the records where they must start.
    byte[] bytes = Files.readAllBytes(four);
    int end = bytes.length - 22;
    bytes[end + 16] = (byte) 0xFF;
    bytes[end + 17] = (byte) 0xFF;
    bytes[end + 18] = (byte) 0xFF;
    bytes[end + 19] = (byte) 0x7F;
    Files.write(four, bytes);
    box.assertRefusedAndNothingWritten(four, three, "zip has more than 3 entries");
  }

  @Test
  void declaredSizesOverTheTotalCapAreRefusedAndNothingIsWritten() throws Exception {
    ArchiveLimits small = new ArchiveLimits(10, 1000, MIB, 200);
    Path over = box.zip(file("a", 0, "a".repeat(600)), file("b", 0, "b".repeat(401)));
    Path exactly = box.zip(file("a", 0, "a".repeat(600)), file("b", 0, "b".repeat(400)));

    box.assertRefusedAndNothingWritten(over, small, "zip expands to more than 1000 bytes");
    assertEquals(2, box.extract(exactly, small).size());
  }

  @Test
  void actualBytesOverTheTotalCapAreRefusedWhenDeclaredSizesLie() throws Exception {
    ArchiveLimits small = new ArchiveLimits(10, 1000, MIB, 200);
    Path zip = box.zip(file("good.txt", 0, "g"), file("big", 0, "b".repeat(5000)));
    lieAboutSize(zip, "big", 10);
    assertEquals(10, SafeZip.inspect(zip, small).get(1).size(), "the lie passes inspection");

    box.assertExtractRefusedAndNothingWritten(zip, small, "zip expands to more than 1000 bytes");
  }

  @Test
  void zipBombIsRefusedByItsDeclaredRatioBeforeAnythingIsWritten() throws Exception {
    Path zip = box.zip(file("good.txt", 0, "g"), zeros("bomb.so", 20 * MIB));

    box.assertRefusedAndNothingWritten(
        zip, "zip entry \"bomb.so\" has a compression ratio over 200:1");
  }

  @Test
  void zipBombWithALiedSizeIsRefusedWhileStreamingAndNothingIsLeft() throws Exception {
    // With a 10 MiB total cap, only a check made while streaming names the ratio: 20 KiB of
    // deflated zeros pass 200:1 at 4 MiB, long before the end of the entry or the cap.
    ArchiveLimits tenMib = new ArchiveLimits(10_000, 10 * MIB, MIB, 200);
    Path zip = box.zip(file("good.txt", 0, "g"), zeros("bomb.so", 20 * MIB));
    lieAboutSize(zip, "bomb.so", 1000);
    assertEquals(1000, SafeZip.inspect(zip, tenMib).get(1).size(), "the lie passes inspection");

    box.assertExtractRefusedAndNothingWritten(
        zip, tenMib, "zip entry \"bomb.so\" has a compression ratio over 200:1");
  }

  @Test
  void ratioCountsBytesReallyInflatedWhenTheCompressedSizeLies() throws Exception {
    Path zip = box.zip(zeros("bomb.so", 2 * MIB), random("padding.bin", 64 * 1024));
    int compressed = (int) u32(Files.readAllBytes(zip), centralHeader(zip, "bomb.so") + 20);
    patchBothHeaders(zip, "bomb.so", 20, 18, 40 * 1024, 4); // 2 MiB / 40 KiB passes 200:1
    assertTrue(compressed * 200L < 2 * MIB, "the real ratio is over 200:1");

    box.assertExtractRefusedAndNothingWritten(
        zip, DEFAULTS, "zip entry \"bomb.so\" has a compression ratio over 200:1");
  }
}
