package dev.kpm.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP server for {@code http://} plugin URLs: {@code GET /files/<name>} serves a file
 * of its folder (404 when missing), {@code GET /redirect/<name>} answers 302 to {@code
 * /files/<name>}. Counts the requests it served.
 */
public final class FixtureServer implements AutoCloseable {
  private final HttpServer server;
  private final Path folder;
  private final AtomicInteger requests = new AtomicInteger();

  public FixtureServer(Path folder) {
    this.folder = folder;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
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

  /** The URL serving {@code name} from the folder. */
  public String url(String name) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/files/" + name;
  }

  public String redirectUrl(String name) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/redirect/" + name;
  }

  public int requests() {
    return requests.get();
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
