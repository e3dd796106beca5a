package dev.kpm.install.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;

/**
 * Counts a zip's central directory records without building them, stopping one past a limit: the
 * entry cap then holds before a zip parser allocates an object per entry (a 512 MB download of tiny
 * entries would otherwise be millions of them). It walks the records where a parser finds them — at
 * the offset in the end record (zip64 where present), or where the directory must start if the
 * archive has bytes prepended — and reads only their fixed headers. Not thread-safe.
 */
final class CentralDirectory {
  private static final int EOCD_SIG = 0x06054b50;
  private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
  private static final int ZIP64_EOCD_SIG = 0x06064b50;
  private static final int CFH_SIG = 0x02014b50;
  private static final int EOCD_SIZE = 22;
  private static final int MAX_COMMENT = 0xFFFF;
  private static final int CFH_SIZE = 46;

  private CentralDirectory() {}

  /**
   * The number of central directory records, counting at most {@code limit + 1}; empty when no
   * directory can be located (the parser then reports the archive as it finds it).
   */
  static OptionalLong count(Path zip, long limit) throws IOException {
    try (FileChannel ch = FileChannel.open(zip, StandardOpenOption.READ)) {
      long size = ch.size();
      long eocd = findEndRecord(ch, size);
      if (eocd < 0) {
        return OptionalLong.empty();
      }
      ByteBuffer end = read(ch, eocd, EOCD_SIZE);
      long dirSize = Integer.toUnsignedLong(end.getInt(12));
      long dirOffset = Integer.toUnsignedLong(end.getInt(16));
      long dirEnd = eocd;
      if (eocd >= 20 && read(ch, eocd - 20, 4).getInt(0) == ZIP64_LOCATOR_SIG) {
        long zip64 = read(ch, eocd - 20, 20).getLong(8);
        if (zip64 >= 0 && zip64 + 56 <= size && read(ch, zip64, 4).getInt(0) == ZIP64_EOCD_SIG) {
          ByteBuffer z = read(ch, zip64, 56);
          dirSize = z.getLong(40);
          dirOffset = z.getLong(48);
          dirEnd = zip64;
        }
      }
      for (long start : new long[] {dirOffset, dirEnd - dirSize}) {
        if (start >= 0 && start + 4 <= size && read(ch, start, 4).getInt(0) == CFH_SIG) {
          return OptionalLong.of(walk(ch, start, size, limit));
        }
      }
      return OptionalLong.empty();
    }
  }

  private static long walk(FileChannel ch, long position, long size, long limit)
      throws IOException {
    long count = 0;
    ByteBuffer header = ByteBuffer.allocate(CFH_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    while (count <= limit && position + CFH_SIZE <= size) {
      header.clear();
      readFully(ch, header, position);
      if (header.getInt(0) != CFH_SIG) {
        break;
      }
      count++;
      position +=
          CFH_SIZE
              + Short.toUnsignedInt(header.getShort(28))
              + Short.toUnsignedInt(header.getShort(30))
              + Short.toUnsignedInt(header.getShort(32));
    }
    return count;
  }

  /** The end-of-central-directory record: the last signature within comment reach of the end. */
  private static long findEndRecord(FileChannel ch, long size) throws IOException {
    if (size < EOCD_SIZE) {
      return -1;
    }
    long from = Math.max(0, size - EOCD_SIZE - MAX_COMMENT);
    ByteBuffer tail = read(ch, from, (int) (size - from));
    for (int i = tail.limit() - EOCD_SIZE; i >= 0; i--) {
      if (tail.getInt(i) == EOCD_SIG) {
        return from + i;
      }
    }
    return -1;
  }

  private static ByteBuffer read(FileChannel ch, long position, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, buffer, position);
    return buffer;
  }

  private static void readFully(FileChannel ch, ByteBuffer buffer, long position)
      throws IOException {
    while (buffer.hasRemaining()) {
      if (ch.read(buffer, position + buffer.position()) < 0) {
        throw new IOException("zip ends inside a header");
      }
    }
    buffer.flip();
  }
}
