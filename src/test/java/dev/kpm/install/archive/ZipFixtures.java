package dev.kpm.install.archive;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/** Zip fixtures built at test time, and byte patches that make them lie or break. */
final class ZipFixtures {
  static final ArchiveLimits DEFAULTS = ArchiveLimits.defaults();
  static final int MIB = 1 << 20;

  private ZipFixtures() {}

  /** One entry to write: name, Unix mode (0: none, a DOS-made entry), content, method. */
  record Fixture(String name, int mode, byte[] data, int method) {}

  static Fixture file(String name, int mode, String text) {
    return new Fixture(name, mode, text.getBytes(UTF_8), ZipEntry.DEFLATED);
  }

  static Fixture folder(String name, int mode) {
    return new Fixture(name, mode, new byte[0], ZipEntry.DEFLATED);
  }

  static Fixture stored(String name, String text) {
    return new Fixture(name, 0, text.getBytes(UTF_8), ZipEntry.STORED);
  }

  static Fixture zeros(String name, int size) {
    return new Fixture(name, 0, new byte[size], ZipEntry.DEFLATED);
  }

  static Fixture random(String name, int size) {
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    return new Fixture(name, 0, data, ZipEntry.DEFLATED);
  }

  /** Replaces an entry's name in both headers by another of the same length in bytes. */
  static void renameInBothHeaders(Path zip, String from, String to) throws IOException {
    byte[] bytes = Files.readAllBytes(zip);
    byte[] name = to.getBytes(UTF_8);
    int central = centralHeader(zip, from);
    int local = (int) u32(bytes, central + 42);
    System.arraycopy(name, 0, bytes, central + 46, name.length);
    System.arraycopy(name, 0, bytes, local + 30, name.length);
    Files.write(zip, bytes);
  }

  /** Declares {@code size} as the entry's uncompressed size in both of its headers. */
  static void lieAboutSize(Path zip, String name, long size) throws IOException {
    patchBothHeaders(zip, name, 24, 22, size, 4);
  }

  /** Writes a little-endian field at the given offsets of the central and the local header. */
  static void patchBothHeaders(
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

  static int centralHeader(Path zip, String name) throws IOException {
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

  static void flipFirstByteOf(Path zip, String text) throws IOException {
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

  static int u16(byte[] bytes, int at) {
    return (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8;
  }

  static long u32(byte[] bytes, int at) {
    return (bytes[at] & 0xffL)
        | (bytes[at + 1] & 0xffL) << 8
        | (bytes[at + 2] & 0xffL) << 16
        | (bytes[at + 3] & 0xffL) << 24;
  }

  static Path write(Path zip, Fixture... fixtures) throws IOException {
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
