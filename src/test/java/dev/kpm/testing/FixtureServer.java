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
 * /files/<name>}, {@code GET /stall/<name>} sends the first half of the file and then nothing more
 * until the server closes (a download in progress, for as long as a test needs). Counts the
 * requests it served.
 */
public final class FixtureServer implements AutoCloseable {
  private final HttpServer server;
  private final Path folder;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger stalled = new AtomicInteger();
  private final java.util.concurrent.CountDownLatch closing =
      new java.util.concurrent.CountDownLatch(1);

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
    server.createContext("/stall/", this::stall);
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
    try {
      closing.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ex.close();
  }

  /** The URL that sends half of {@code name} and then stalls. */
  public String stallUrl(String name) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/stall/" + name;
  }

  /** How many stalled downloads have sent their first half. */
  public int stalled() {
    return stalled.get();
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
    closing.countDown();
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
