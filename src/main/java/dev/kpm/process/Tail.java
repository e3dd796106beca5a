package dev.kpm.process;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The last {@code capacity} bytes written to it. Thread-safe: one reader thread appends while the
 * runner may take a snapshot of an abandoned stream. Memory grows with the output, up to twice the
 * capacity.
 */
public final class Tail {
  private final int capacity;
  private byte[] buffer = new byte[0];
  private int size;
  private long written;

  public Tail(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("tail capacity must not be negative: " + capacity);
    }
    this.capacity = capacity;
  }

  public synchronized void append(byte[] bytes, int offset, int length) {
    written += length;
    if (length >= capacity) {
      size = 0;
      put(bytes, offset + length - capacity, capacity);
      return;
    }
    if ((long) size + length > 2L * capacity) {
      System.arraycopy(buffer, size - capacity, buffer, 0, capacity);
      size = capacity;
    }
    put(bytes, offset, length);
  }

  /** The kept bytes as UTF-8; when output was cut, continuation bytes at the start are dropped. */
  public synchronized String text() {
    int from = Math.max(0, size - capacity);
    if (written > size - from) {
      int limit = Math.min(size, from + 3);
      while (from < limit && (buffer[from] & 0xC0) == 0x80) {
        from++;
      }
    }
    return new String(buffer, from, size - from, StandardCharsets.UTF_8);
  }

  private void put(byte[] bytes, int offset, int length) {
    if (size + length > buffer.length) {
      long grown = Math.max((long) size + length, 2L * buffer.length);
      buffer = Arrays.copyOf(buffer, (int) Math.min(grown, 2L * capacity));
    }
    System.arraycopy(bytes, offset, buffer, size, length);
    size += length;
  }
}
