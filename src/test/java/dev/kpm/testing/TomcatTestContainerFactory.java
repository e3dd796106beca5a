package dev.kpm.testing;

import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.startup.Tomcat;
import org.glassfish.jersey.client.ClientConfig;
import org.glassfish.jersey.test.DeploymentContext;
import org.glassfish.jersey.test.spi.TestContainer;
import org.glassfish.jersey.test.spi.TestContainerFactory;

/**
 * JerseyTest on an embedded Tomcat on a free loopback port, kpm mounted in its root context as a
 * deployment mounts it ({@code KpmRuntime.mount}: servlet filter and JAX-RS servlet). The container
 * kpm ships on, rather than a JAX-RS-only HTTP server that would skip the servlet layer.
 */
public final class TomcatTestContainerFactory implements TestContainerFactory {
  private final Consumer<ServletContext> mount;

  public TomcatTestContainerFactory(Consumer<ServletContext> mount) {
    this.mount = mount;
  }

  @Override
  public TestContainer create(URI baseUri, DeploymentContext deployment) {
    return new Container(mount);
  }

  private static final class Container implements TestContainer {
    private final Consumer<ServletContext> mount;
    private Tomcat tomcat;
    private Path base;
    private URI uri;

    Container(Consumer<ServletContext> mount) {
      this.mount = mount;
    }

    @Override
    public ClientConfig getClientConfig() {
      return null;
    }

    @Override
    public URI getBaseUri() {
      return uri;
    }

    @Override
    public void start() {
      try {
        base = Files.createTempDirectory("kpm-tomcat-");
        tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        tomcat.setHostname("127.0.0.1");
        tomcat.setPort(0);
        tomcat.getConnector().setProperty("address", "127.0.0.1");
        Context context =
            tomcat.addContext("", Files.createDirectory(base.resolve("root")).toString());
        context.addServletContainerInitializer(
            (classes, servletContext) -> mount.accept(servletContext), null);
        tomcat.start();
        uri = URI.create("http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + "/");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (LifecycleException e) {
        throw new IllegalStateException("embedded Tomcat did not start", e);
      }
    }

    @Override
    public void stop() {
      try {
        tomcat.stop();
        tomcat.destroy();
      } catch (LifecycleException e) {
        throw new IllegalStateException("embedded Tomcat did not stop", e);
      } finally {
        try (Stream<Path> walk = Files.walk(base)) {
          walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }
}
