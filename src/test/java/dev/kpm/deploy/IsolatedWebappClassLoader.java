package dev.kpm.deploy;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.apache.catalina.loader.ParallelWebappClassLoader;

/**
 * The web application class loader for deployments into the embedded Tomcat of the test JVM.
 * Tomcat's own child-first loader, but its parent shows only what a standalone Tomcat's {@code
 * lib/} holds (Tomcat, the Servlet/EL/annotation APIs, ECJ) and hides the rest of the test class
 * path: kpm's {@code target/classes}, Jersey, Hibernate, the PostgreSQL driver. The WAR then runs
 * on exactly its own {@code WEB-INF/classes} and {@code WEB-INF/lib}, as in a standalone Tomcat.
 *
 * <p>Named by a deployment's {@code <Loader loaderClass="…"/>}; Tomcat's {@code WebappLoader} calls
 * the constructor with the container's parent loader, here the test JVM's class loader.
 */
public final class IsolatedWebappClassLoader extends ParallelWebappClassLoader {
  static {
    ClassLoader.registerAsParallelCapable();
  }

  public IsolatedWebappClassLoader(ClassLoader parent) {
    super(new TomcatLib(parent));
  }

  /** The part of the test class path that a standalone Tomcat would have in its lib folder. */
  private static final class TomcatLib extends ClassLoader {
    private static final List<String> JARS =
        List.of("tomcat-embed-", "tomcat-annotations-api-", "jakarta.servlet-api-", "ecj-");

    static {
      ClassLoader.registerAsParallelCapable();
    }

    private final ClassLoader testClassPath;

    TomcatLib(ClassLoader testClassPath) {
      super("tomcat-lib", ClassLoader.getPlatformClassLoader());
      this.testClassPath = testClassPath;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      URL file = testClassPath.getResource(name.replace('.', '/') + ".class");
      if (file == null || !inTomcatJar(file)) {
        throw new ClassNotFoundException(name);
      }
      return testClassPath.loadClass(name);
    }

    @Override
    protected URL findResource(String name) {
      try {
        Enumeration<URL> all = findResources(name);
        return all.hasMoreElements() ? all.nextElement() : null;
      } catch (IOException e) {
        return null;
      }
    }

    @Override
    protected Enumeration<URL> findResources(String name) throws IOException {
      return Collections.enumeration(
          Collections.list(testClassPath.getResources(name)).stream()
              .filter(TomcatLib::inTomcatJar)
              .toList());
    }

    /** {@code jar:file:/…/tomcat-embed-core-11.0.27.jar!/org/apache/…} and the like. */
    private static boolean inTomcatJar(URL url) {
      String s = url.toString();
      int entry = s.indexOf("!/");
      if (!s.startsWith("jar:") || entry < 0) {
        return false;
      }
      String jar = s.substring(s.lastIndexOf('/', entry) + 1, entry);
      return JARS.stream().anyMatch(jar::startsWith);
    }
  }
}
