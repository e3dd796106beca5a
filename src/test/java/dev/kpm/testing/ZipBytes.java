package dev.kpm.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Byte patches that make a zip lie or break in ways no zip writer produces: renamed entries, false
 * sizes, other header fields, flipped data bytes. For zips of {@link
 * TestPlugins#zipWithSizesInLocalHeaders}, whose every entry has its sizes in both headers.
 */
public final class ZipBytes {
  private ZipBytes() {}

  /** Replaces an entry's name in both headers by another of the same length in bytes. */
  public static void renameInBothHeaders(Path zip, String from, String to) throws IOException {
    byte[] bytes = Files.readAllBytes(zip);
    byte[] name = to.getBytes(UTF_8);
    int central = centralHeader(zip, from);
    int local = (int) u32(bytes, central + 42);
    System.arraycopy(name, 0, bytes, central + 46, name.length);
    System.arraycopy(name, 0, bytes, local + 30, name.length);
    Files.write(zip, bytes);
  }

  /** Declares {@code size} as the entry's uncompressed size in both of its headers. */
  public static void lieAboutSize(Path zip, String name, long size) throws IOException {
    patchBothHeaders(zip, name, 24, 22, size, 4);
  }

  /** Writes a little-endian field at the given offsets of the central and the local header. */
  public static void patchBothHeaders(
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

  /** The offset of the central directory header of entry {@code name}. */
  public static int centralHeader(Path zip, String name) throws IOException {
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

  /** Flips the lowest bit of the first byte of {@code text} where it first occurs in the zip. */
  public static void flipFirstByteOf(Path zip, String text) throws IOException {
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

  public static int u16(byte[] bytes, int at) {
    return (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8;
  }

  public static long u32(byte[] bytes, int at) {
    return (bytes[at] & 0xffL)
        | (bytes[at + 1] & 0xffL) << 8
        | (bytes[at + 2] & 0xffL) << 16
        | (bytes[at + 3] & 0xffL) << 24;
  }
}
