package dev.kpm.portable.sp;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A listening Unix-domain socket that accepts any number of pipes of one protocol and feeds their
 * messages into an {@link Inbox}. Binding follows docs/portable-protocol.md §2.2: a stale socket
 * file (connect refused) is unlinked first, a live one is "address in use"; close unlinks the file
 * if it is still the one we bound.
 *
 * <p>Lifecycle ({@link Lifecycle}): OPEN while accepting (a failed accept, e.g. out of file
 * descriptors, is retried after 100 ms); FAILED when the listening channel itself is gone (pipes
 * already connected keep working); CLOSED by {@link #close}, which stops the accept thread, closes
 * every pipe and waits for their threads (bounded).
 *
 * <p>Threads: one daemon accept thread ({@code kpm-sp-<role>-<file>-accept}) blocked in accept,
 * plus each pipe's reader ({@code …-pipe-<n>}).
 */
final class Listener implements Pipe.Events {
  static final Duration JOIN = Duration.ofSeconds(5);
  static final Duration ACCEPT_RETRY = Duration.ofMillis(100);
  private static final Logger LOG = Logger.getLogger(Listener.class.getPackageName());

  private final Path path;
  private final int protocol;
  private final Inbox inbox;
  private final ServerSocketChannel server;
  private final Object fileKey;
  private final Thread acceptor;
  private final Lifecycle lifecycle = new Lifecycle();
  private final Set<Pipe> pipes = ConcurrentHashMap.newKeySet();
  private int accepted;

  private Listener(Path path, int protocol, Inbox inbox, ServerSocketChannel server)
      throws IOException {
    this.path = path;
    this.protocol = protocol;
    this.inbox = inbox;
    this.server = server;
    this.fileKey = fileKey(path);
    this.acceptor = new Thread(this::acceptLoop, Sp.threadName(protocol, path, "accept"));
    acceptor.setDaemon(true);
  }

  static Listener open(Path path, int protocol, Inbox inbox) throws IOException {
    ServerSocketChannel server = bind(path);
    try {
      Listener listener = new Listener(path, protocol, inbox, server);
      listener.acceptor.start();
      return listener;
    } catch (IOException | RuntimeException e) {
      server.close();
      Files.deleteIfExists(path);
      throw e;
    }
  }

  Path path() {
    return path;
  }

  Lifecycle lifecycle() {
    return lifecycle;
  }

  int openPipes() {
    return (int) pipes.stream().filter(Pipe::isOpen).count();
  }

  @Override
  public void message(Pipe pipe, byte[] payload) throws InterruptedException {
    inbox.put(pipe, payload);
  }

  @Override
  public void closed(Pipe pipe) {
    inbox.pipeClosed(pipe);
  }

  /** Idempotent; leaves no thread of this listener running (each join bounded by 5 s). */
  void close() {
    if (!lifecycle.moveTo(Lifecycle.State.CLOSED, "closed")) {
      return;
    }
    try {
      server.close();
      join(acceptor);
      for (Pipe pipe : pipes) {
        pipe.close("listener closed");
      }
      for (Pipe pipe : pipes) {
        pipe.join(JOIN);
      }
      pipes.clear();
      unlinkIfOurs();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "closing the listener on " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void acceptLoop() {
    while (!lifecycle.closed()) {
      try {
        adopt(server.accept());
      } catch (ClosedChannelException | RuntimeException e) {
        if (lifecycle.moveTo(Lifecycle.State.FAILED, String.valueOf(e))) {
          LOG.log(Level.WARNING, "accepting on " + path + " failed; connected pipes still work", e);
        }
        return;
      } catch (IOException e) {
        // Like NNG: a failed accept (say, out of file descriptors) is retried after a pause.
        LOG.log(Level.WARNING, "accept on " + path + " failed, retrying", e);
        pause();
      }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(ACCEPT_RETRY.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void adopt(SocketChannel channel) {
    pipes.removeIf(Pipe::ended);
    try {
      Pipe pipe =
          new Pipe(channel, protocol, Sp.threadName(protocol, path, "pipe-" + ++accepted), this);
      pipes.add(pipe);
      pipe.start();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot set up a pipe on " + path, e);
    }
  }

  private void unlinkIfOurs() throws IOException {
    if (Objects.equals(fileKey, fileKey(path))) {
      Files.deleteIfExists(path);
    }
  }

  private static void join(Thread thread) throws InterruptedException {
    thread.join(JOIN.toMillis());
  }

  private static Object fileKey(Path path) {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
          .fileKey();
    } catch (IOException gone) {
      return null;
    }
  }

  private static ServerSocketChannel bind(Path path) throws IOException {
    UnixDomainSocketAddress address = Sp.address(path);
    reclaimStale(path, address);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(address);
      return server;
    } catch (IOException e) {
      server.close();
      throw new IOException("cannot listen on " + path + ": " + e.getMessage(), e);
    }
  }

  /** Unlinks a socket file nobody listens on; refuses a live one and anything not a socket. */
  private static void reclaimStale(Path path, UnixDomainSocketAddress address) throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException absent) {
      return;
    }
    if (!attributes.isOther()) {
      throw new IOException("cannot listen on " + path + ": it exists and is not a socket");
    }
    try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      probe.connect(address);
    } catch (ConnectException refused) {
      Files.deleteIfExists(path);
      return;
    }
    throw new IOException("address in use: a listener is alive on " + path);
  }
}
