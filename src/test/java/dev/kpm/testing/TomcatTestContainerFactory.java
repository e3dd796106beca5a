package dev.kpm.testing;

import jakarta.servlet.ServletContext;
import java.net.URI;
import java.util.function.Consumer;
import org.glassfish.jersey.client.ClientConfig;
import org.glassfish.jersey.test.DeploymentContext;
import org.glassfish.jersey.test.spi.TestContainer;
import org.glassfish.jersey.test.spi.TestContainerFactory;

/**
 * JerseyTest on an {@link EmbeddedTomcat}: kpm mounted as a deployment mounts it (servlet filter
 * and JAX-RS servlet), the container kpm ships on, rather than a JAX-RS-only HTTP server that would
 * skip the servlet layer.
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
    private EmbeddedTomcat tomcat;

    Container(Consumer<ServletContext> mount) {
      this.mount = mount;
    }

    @Override
    public ClientConfig getClientConfig() {
      return null;
    }

    @Override
    public URI getBaseUri() {
      return tomcat.uri();
    }

    @Override
    public void start() {
      tomcat = EmbeddedTomcat.start(mount);
    }

    @Override
    public void stop() {
      tomcat.close();
    }
  }
}
