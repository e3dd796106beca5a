package dev.kpm.testing;

import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.startup.Tomcat;

/**
 * An embedded Tomcat on a free loopback port with kpm mounted in its root context as a deployment
 * mounts it ({@code KpmRuntime.mount}: servlet filter and JAX-RS servlet), and an HTTP client for
 * it.
 */
public final class EmbeddedTomcat implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final Tomcat tomcat;
  private final Path base;
  private final URI uri;

  private EmbeddedTomcat(Tomcat tomcat, Path base, URI uri) {
    this.tomcat = tomcat;
    this.base = base;
    this.uri = uri;
  }

  public static EmbeddedTomcat start(Consumer<ServletContext> mount) {
    try {
      Path base = Files.createTempDirectory("kpm-tomcat-");
      Tomcat tomcat = new Tomcat();
      tomcat.setBaseDir(base.toString());
      tomcat.setHostname("127.0.0.1");
      tomcat.setPort(0);
      tomcat.getConnector().setProperty("address", "127.0.0.1");
      // The repository's web application folder, so the console's files are served as in the WAR
      // (only through kpm's own servlets: a bare context has no default servlet).
      Context context = tomcat.addContext("", Path.of("webapp").toAbsolutePath().toString());
      context.addServletContainerInitializer(
          (classes, servletContext) -> mount.accept(servletContext), null);
      tomcat.start();
      URI uri = URI.create("http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + "/");
      return new EmbeddedTomcat(tomcat, base, uri);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (LifecycleException e) {
      throw new IllegalStateException("embedded Tomcat did not start", e);
    }
  }

  public URI uri() {
    return uri;
  }

  /** One request; {@code body} null sends none. */
  public HttpResponse<String> send(String method, String path, String body) {
    return send(method, path, body, null);
  }

  /** One request with {@code Authorization: Bearer <bearer>}; null sends no credential. */
  public HttpResponse<String> send(String method, String path, String body, String bearer) {
    HttpRequest.BodyPublisher publisher =
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri.resolve(path)).method(method, publisher);
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The body of a GET. */
  public String get(String path) {
    return send("GET", path, null).body();
  }

  @Override
  public void close() {
    try {
      tomcat.stop();
      tomcat.destroy();
    } catch (LifecycleException e) {
      throw new IllegalStateException("embedded Tomcat did not stop", e);
    } finally {
      if (Files.exists(base)) {
        try (Stream<Path> walk = Files.walk(base)) {
          walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }
}
