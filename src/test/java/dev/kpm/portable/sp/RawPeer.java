package dev.kpm.portable.sp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * A hand-driven SP endpoint for tests: raw bytes on a Unix-domain socket, so a test can send what
 * no correct peer would and check every byte our sockets write.
 */
final class RawPeer implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(10);

  private final SocketChannel channel;
  private final Selector selector;

  private RawPeer(SocketChannel channel) throws IOException {
    this.channel = channel;
    channel.configureBlocking(false);
    selector = Selector.open();
    channel.register(selector, SelectionKey.OP_READ);
  }

  static RawPeer connect(Path path) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    channel.connect(UnixDomainSocketAddress.of(path));
    return new RawPeer(channel);
  }

  /** Listens on {@code path} and returns the first connection (the listener is closed). */
  static RawPeer acceptOne(Path path, Runnable dialer) throws IOException {
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(path));
      dialer.run();
      return new RawPeer(server.accept());
    } finally {
      Files.deleteIfExists(path);
    }
  }

  /** Sends our header for {@code protocol} and checks the peer's is {@code expectedPeer}'s. */
  RawPeer handshake(int protocol, int expectedPeer) throws IOException {
    write(Sp.header(protocol));
    assertArrayEquals(Sp.header(expectedPeer), read(8));
    return this;
  }

  void write(byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  void writeFrame(byte[] payload) throws IOException {
    write(Sp.prefix(payload.length));
    write(payload);
  }

  /** Exactly {@code n} bytes, or fails the test after {@link #WAIT}. */
  byte[] read(int n) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(n);
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (buffer.hasRemaining()) {
      int got = channel.read(buffer);
      if (got < 0) {
        fail("peer closed after " + buffer.position() + " of " + n + " bytes");
      }
      if (got == 0) {
        awaitReadable(deadline, WAIT);
      }
    }
    return buffer.array();
  }

  /** The payload of the next frame. */
  byte[] readFrame() throws IOException {
    return read(Sp.payloadLength(read(Sp.PREFIX_SIZE)));
  }

  /** Fails unless the peer closes the connection within {@link #WAIT}; data before is ignored. */
  void assertClosedByPeer() throws IOException {
    assertClosedByPeer(WAIT);
  }

  void assertClosedByPeer(Duration within) throws IOException {
    long deadline = System.nanoTime() + within.toNanos();
    ByteBuffer sink = ByteBuffer.allocate(4096);
    while (true) {
      sink.clear();
      int got;
      try {
        got = channel.read(sink);
      } catch (IOException reset) {
        return;
      }
      if (got < 0) {
        return;
      }
      if (got == 0) {
        awaitReadable(deadline, within);
      }
    }
  }

  /** Fails if anything arrives within {@code quiet}. */
  void assertNothingFor(Duration quiet) throws IOException {
    selector.select(quiet.toMillis());
    selector.selectedKeys().clear();
    ByteBuffer one = ByteBuffer.allocate(1);
    assertEquals(0, channel.read(one), "unexpected bytes: " + Arrays.toString(one.array()));
  }

  private void awaitReadable(long deadline, Duration wait) throws IOException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      fail("nothing to read within " + wait);
    }
    selector.select(Math.max(1, left / 1_000_000));
    selector.selectedKeys().clear();
  }

  @Override
  public void close() throws IOException {
    selector.close();
    channel.close();
  }
}
