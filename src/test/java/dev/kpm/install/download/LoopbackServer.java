package dev.kpm.install.download;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP server on 127.0.0.1 with a random port for download tests; counts requests per path.
 * Closing it interrupts handlers that are still sleeping (stalled responses).
 */
final class LoopbackServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService handlers = Executors.newCachedThreadPool();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

  LoopbackServer() throws IOException {
    this(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
  }

  LoopbackServer(HttpServer server) {
    this.server = server;
    server.setExecutor(handlers);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  URI uri(String path) {
    return URI.create(scheme() + "://127.0.0.1:" + port() + path);
  }

  private String scheme() {
    return server instanceof com.sun.net.httpserver.HttpsServer ? "https" : "http";
  }

  /** Serves {@code path} and, as HttpServer matches prefixes, paths below it; counts requests. */
  LoopbackServer on(String path, HttpHandler handler) {
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

  LoopbackServer bytes(String path, byte[] body) {
    return on(path, exchange -> send(exchange, 200, body));
  }

  LoopbackServer redirect(String path, int status, String location) {
    return on(
        path,
        exchange -> {
          exchange.getResponseHeaders().add("Location", location);
          exchange.sendResponseHeaders(status, -1);
        });
  }

  int hits(String path) {
    return hits.get(path).get();
  }

  static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** Sleeps in a handler until the server closes (which interrupts it). */
  static void stall() {
    try {
      Thread.sleep(TimeUnit.SECONDS.toMillis(60));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void write(OutputStream out, byte[] part) {
    try {
      out.write(part);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    handlers.shutdownNow();
    server.stop(0);
  }
}
