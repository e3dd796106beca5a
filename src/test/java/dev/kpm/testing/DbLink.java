package dev.kpm.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP link between kpm and its PostgreSQL on loopback that a test can break at a chosen point of
 * the wire protocol: the connection of the next COMMIT is cut either before the COMMIT reaches the
 * server (so the server rolls back) or after the server answered it (so it committed, but kpm never
 * hears it) — a connection dying during a commit, both ways. Needs {@code prepareThreshold=0} on
 * kpm's JDBC URL, so the COMMIT text travels in every Parse message.
 */
public final class DbLink implements AutoCloseable {
  /** What happens to the connection of the next COMMIT. */
  public enum Cut {
    BEFORE_COMMIT,
    AFTER_COMMIT
  }

  private static final byte[] COMMIT = "COMMIT".getBytes(StandardCharsets.US_ASCII);
  private final ServerSocket server;
  private final int target;
  private final AtomicReference<Cut> armed = new AtomicReference<>();
  private final AtomicReference<Cut> fired = new AtomicReference<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  private DbLink(ServerSocket server, int target) {
    this.server = server;
    this.target = target;
    Thread accept = new Thread(this::accept, "db-link-accept");
    accept.setDaemon(true);
    accept.start();
  }

  /** A link to the server on {@code port}; connect to {@link #port()} instead. */
  public static DbLink to(int port) {
    try {
      return new DbLink(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Cuts the connection of the next COMMIT, as {@code cut} says. */
  public void arm(Cut cut) {
    fired.set(null);
    armed.set(cut);
  }

  /** Whether the armed cut has happened. */
  public boolean fired() {
    return fired.get() != null;
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      try {
        Socket db = new Socket(InetAddress.getLoopbackAddress(), target);
        sockets.add(client);
        sockets.add(db);
        pump(client, db, true);
        pump(db, client, false);
      } catch (IOException serverDown) {
        close(client); // as a refused connection would be
      }
    }
  }

  private void pump(Socket from, Socket to, boolean toServer) {
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[64 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                  if (contains(buffer, n, COMMIT) && cutHere(toServer)) {
                    from.close();
                    to.close();
                    return;
                  }
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException closed) {
                // one side went away: so does the other
              } finally {
                close(from);
                close(to);
              }
            },
            "db-link-" + (toServer ? "up" : "down"));
    t.setDaemon(true);
    t.start();
  }

  /** The client's COMMIT travels up; the server's answer, tagged COMMIT, travels down. */
  private boolean cutHere(boolean toServer) {
    Cut want = toServer ? Cut.BEFORE_COMMIT : Cut.AFTER_COMMIT;
    if (armed.compareAndSet(want, null)) {
      fired.set(want);
      return true;
    }
    return false;
  }

  private static boolean contains(byte[] data, int length, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (data[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static void close(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    sockets.forEach(DbLink::close);
  }
}
