package dev.kpm.portable.sp;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * The SP wire format as pure functions (docs/portable-protocol.md §4.2–4.5): protocol IDs, the
 * 8-byte connection header, IPC framing ({@code 0x01} + u64 big-endian length + payload) and the
 * REQ/REP request-id backtrace.
 */
final class Sp {
  static final int REQ = 0x30;
  static final int REP = 0x31;
  static final int PUSH = 0x50;
  static final int PULL = 0x51;

  static final int HEADER_SIZE = 8;
  static final int PREFIX_SIZE = 9;
  static final byte MESSAGE = 0x01;

  /**
   * Longer payloads close the pipe. mangos allows 1 MiB by default, NNG any length; 64 MiB bounds
   * the memory one frame can claim while staying far above anything eKuiper sends.
   */
  static final int MAX_PAYLOAD = 64 << 20;

  /** The most backtrace words a REP accepts (the SP TTL). */
  static final int MAX_HOPS = 8;

  /** {@code sun_path} holds 108 bytes including the terminating NUL. */
  static final int MAX_PATH_BYTES = 107;

  private static final int TOP_BIT = 0x80000000;

  private Sp() {}

  static int partner(int protocol) {
    return switch (protocol) {
      case REQ -> REP;
      case REP -> REQ;
      case PUSH -> PULL;
      case PULL -> PUSH;
      default -> throw new IllegalArgumentException("not a supported protocol: " + protocol);
    };
  }

  static String name(int protocol) {
    return switch (protocol) {
      case REQ -> "REQ";
      case REP -> "REP";
      case PUSH -> "PUSH";
      case PULL -> "PULL";
      default -> String.format("0x%x", protocol);
    };
  }

  static byte[] header(int protocol) {
    return new byte[] {0x00, 'S', 'P', 0x00, (byte) (protocol >>> 8), (byte) protocol, 0, 0};
  }

  /** Accepts a peer header only when it is SP version 0 from {@code expected}; else says why. */
  static void checkHeader(byte[] header, int expected) throws IOException {
    if (header.length != HEADER_SIZE
        || header[0] != 0x00
        || header[1] != 'S'
        || header[2] != 'P'
        || header[6] != 0
        || header[7] != 0) {
      throw new IOException("not an SP header: " + HexFormat.ofDelimiter(" ").formatHex(header));
    }
    if (header[3] != 0x00) {
      throw new IOException("unsupported SP version " + header[3]);
    }
    int peer = ((header[4] & 0xff) << 8) | (header[5] & 0xff);
    if (peer != expected) {
      throw new IOException(
          "peer speaks "
              + name(peer)
              + " ("
              + String.format("0x%x", peer)
              + "), expected "
              + name(expected));
    }
  }

  /** The 9 bytes in front of a payload of {@code length} bytes. */
  static byte[] prefix(long length) {
    byte[] prefix = new byte[PREFIX_SIZE];
    prefix[0] = MESSAGE;
    for (int i = 0; i < 8; i++) {
      prefix[8 - i] = (byte) (length >>> (8 * i));
    }
    return prefix;
  }

  /** The payload length a frame prefix announces; refuses other type bytes and oversized frames. */
  static int payloadLength(byte[] prefix) throws IOException {
    if (prefix[0] != MESSAGE) {
      throw new IOException(String.format("bad SP message type 0x%02x", prefix[0] & 0xff));
    }
    long length = 0;
    for (int i = 1; i < PREFIX_SIZE; i++) {
      length = (length << 8) | (prefix[i] & 0xff);
    }
    if (length < 0 || length > MAX_PAYLOAD) {
      throw new IOException(
          "SP frame of " + Long.toUnsignedString(length) + " bytes exceeds the 64 MiB limit");
    }
    return (int) length;
  }

  /**
   * How many leading bytes of a request payload form its backtrace: 4-byte words up to and
   * including the first one with the top bit set (the request ID). Returns -1 for a message to
   * drop: fewer than 4 bytes left at some step, or no request ID within {@link #MAX_HOPS} words.
   */
  static int backtraceLength(byte[] payload) {
    for (int hop = 1; hop <= MAX_HOPS; hop++) {
      int end = 4 * hop;
      if (payload.length < end) {
        return -1;
      }
      if ((payload[end - 4] & 0x80) != 0) {
        return end;
      }
    }
    return -1;
  }

  static byte[] idBytes(int id) {
    return new byte[] {(byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id};
  }

  /** The first 4 bytes of {@code payload} as a big-endian int; the caller checks the length. */
  static int leadingId(byte[] payload) {
    return ((payload[0] & 0xff) << 24)
        | ((payload[1] & 0xff) << 16)
        | ((payload[2] & 0xff) << 8)
        | (payload[3] & 0xff);
  }

  /** Request IDs count up by one and always carry the top bit. */
  static int nextRequestId(int id) {
    return (id + 1) | TOP_BIT;
  }

  static int firstRequestId(int random) {
    return random | TOP_BIT;
  }

  /** The socket address of {@code path}, refusing paths that do not fit {@code sun_path}. */
  static UnixDomainSocketAddress address(Path path) throws IOException {
    int bytes = path.toString().getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_PATH_BYTES) {
      throw new IOException(
          "socket path is "
              + bytes
              + " bytes long, Unix-domain sockets allow at most "
              + MAX_PATH_BYTES
              + ": "
              + path);
    }
    return UnixDomainSocketAddress.of(path);
  }

  /** {@code kpm-sp-<role>-<file name>-<what>}: the name of every thread this package starts. */
  static String threadName(int protocol, Path path, String what) {
    return "kpm-sp-" + name(protocol).toLowerCase() + "-" + path.getFileName() + "-" + what;
  }
}
