package dev.kpm.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.glassfish.jersey.jdkhttp.JdkHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;

/** A kpm application served over real HTTP on loopback, for tests that restart kpm. */
public final class TestServer implements AutoCloseable {
  private final HttpServer server;
  private final URI base;
  private final HttpClient http = HttpClient.newHttpClient();

  public TestServer(ResourceConfig application) {
    try (ServerSocket probe = new ServerSocket(0)) {
      base = URI.create("http://127.0.0.1:" + probe.getLocalPort() + "/");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server = JdkHttpServerFactory.createHttpServer(base, application);
  }

  public HttpResponse<String> send(String method, String path, String body) {
    HttpRequest.BodyPublisher publisher =
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body);
    try {
      return http.send(
          HttpRequest.newBuilder(base.resolve(path)).method(method, publisher).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public String get(String path) {
    return send("GET", path, null).body();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
