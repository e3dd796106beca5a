package dev.kpm.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP(S) server on 127.0.0.1 and a free port, for {@code http://} plugin URLs and
 * download tests.
 *
 * <p>Over a folder it serves {@code GET /files/<name>} (404 when missing), answers {@code GET
 * /redirect/<name>} with a 302 to {@code /files/<name>}, and {@code GET /stall/<name>} sends the
 * first half of the file and then nothing more until the server closes (a download in progress, for
 * as long as a test needs); {@link #requests} counts them.
 *
 * <p>Any server also takes handlers a test registers ({@link #on}, {@link #bytes}, {@link
 * #redirect}), each counted per path ({@link #hits}); a handler that must keep a response open
 * calls {@link #holdUntilClosed}. Closing the server releases every held response.
 */
public final class FixtureServer implements AutoCloseable {
  private final HttpServer server;
  private final Path folder;
  private final ExecutorService handlers = Executors.newCachedThreadPool();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger stalled = new AtomicInteger();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private final CountDownLatch closing = new CountDownLatch(1);

  /** A server of {@code folder}'s files, and of the handlers a test adds. */
  public FixtureServer(Path folder) {
    this(loopback(), folder);
  }

  /** A server of the handlers a test adds only. */
  public FixtureServer() {
    this(loopback(), null);
  }

  /**
   * Runs {@code server} (say, an {@link HttpsServer} with the test's certificate), bound but not
   * started, for the handlers a test adds; {@link #uri} then says https.
   */
  public FixtureServer(HttpServer server) {
    this(server, null);
  }

  private FixtureServer(HttpServer server, Path folder) {
    this.server = server;
    this.folder = folder;
    if (folder != null) {
      server.createContext("/files/", this::file);
      server.createContext(
          "/redirect/",
          ex -> {
            requests.incrementAndGet();
            String name = ex.getRequestURI().getPath().substring("/redirect/".length());
            ex.getResponseHeaders().add("Location", url(name));
            ex.sendResponseHeaders(302, -1);
            ex.close();
          });
      server.createContext("/stall/", this::stall);
    }
    server.setExecutor(handlers);
    server.start();
  }

  private static HttpServer loopback() {
    try {
      return HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void file(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    Path file = folder.resolve(ex.getRequestURI().getPath().substring("/files/".length()));
    if (!Files.isRegularFile(file)) {
      ex.sendResponseHeaders(404, -1);
      ex.close();
      return;
    }
    ex.sendResponseHeaders(200, Files.size(file));
    try (OutputStream out = ex.getResponseBody()) {
      Files.copy(file, out);
    }
  }

  private void stall(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    byte[] content =
        Files.readAllBytes(
            folder.resolve(ex.getRequestURI().getPath().substring("/stall/".length())));
    ex.sendResponseHeaders(200, content.length);
    OutputStream out = ex.getResponseBody();
    out.write(content, 0, content.length / 2);
    out.flush();
    stalled.incrementAndGet();
    holdUntilClosed();
    ex.close();
  }

  /** The URL that sends half of {@code name} and then stalls. */
  public String stallUrl(String name) {
    return "http://127.0.0.1:" + port() + "/stall/" + name;
  }

  /** How many stalled downloads have sent their first half. */
  public int stalled() {
    return stalled.get();
  }

  /** The URL serving {@code name} from the folder. */
  public String url(String name) {
    return "http://127.0.0.1:" + port() + "/files/" + name;
  }

  public String redirectUrl(String name) {
    return "http://127.0.0.1:" + port() + "/redirect/" + name;
  }

  /** Requests served from the folder ({@code /files/}, {@code /redirect/}, {@code /stall/}). */
  public int requests() {
    return requests.get();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http(s)://127.0.0.1:<port><path>}. */
  public URI uri(String path) {
    String scheme = server instanceof HttpsServer ? "https" : "http";
    return URI.create(scheme + "://127.0.0.1:" + port() + path);
  }

  /**
   * Serves {@code path} and, as HttpServer matches prefixes, the paths below it; counts its
   * requests ({@link #hits}) and closes each exchange after the handler.
   */
  public FixtureServer on(String path, HttpHandler handler) {
    hits.put(path, new AtomicInteger());
    server.createContext(
        path,
        exchange -> {
          hits.get(path).incrementAndGet();
          try (exchange) {
            handler.handle(exchange);
          }
        });
    return this;
  }

  /** Answers {@code path} with 200 and {@code body}. */
  public FixtureServer bytes(String path, byte[] body) {
    return on(path, exchange -> send(exchange, 200, body));
  }

  /** Answers {@code path} with {@code status} and a {@code Location} header. */
  public FixtureServer redirect(String path, int status, String location) {
    return on(
        path,
        exchange -> {
          exchange.getResponseHeaders().add("Location", location);
          exchange.sendResponseHeaders(status, -1);
        });
  }

  /** Requests to a path registered with {@link #on}, {@link #bytes} or {@link #redirect}. */
  public int hits(String path) {
    return hits.get(path).get();
  }

  public static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** Writes and flushes part of a response body. */
  public static void write(OutputStream out, byte[] part) {
    try {
      out.write(part);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Blocks the calling handler until the server closes: a response that stalls (no more headers or
   * body) for as long as the test runs. Not a timed delay: the close releases it.
   */
  public void holdUntilClosed() {
    try {
      closing.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    handlers.shutdownNow();
  }
}
