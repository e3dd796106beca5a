package dev.kpm.launcher;

import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Entry point of {@code kpm-launcher.jar}: puts the jar and every jar of the {@code lib/} folder
 * beside it on a class path (a manifest cannot name a folder of jars) and runs {@link Launcher}.
 * Two class loaders, as in a real container: Tomcat's jars ({@code tomcat-*}) in the parent, which
 * is all the web application sees; the launcher, zonky, slf4j and the JDBC driver in a child. Uses
 * only the JDK.
 */
public final class Main {
  private static final String LOG_FORMAT = "java.util.logging.SimpleFormatter.format";

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (System.getProperty(LOG_FORMAT) == null) {
      System.setProperty(LOG_FORMAT, "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
    }
    // Found through the context class loader set below, when the first logger is made.
    System.setProperty("java.util.logging.manager", "dev.kpm.launcher.LauncherLogManager");
    Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<URL> container = new ArrayList<>();
    List<URL> launcher = new ArrayList<>();
    launcher.add(jar.toUri().toURL());
    try (Stream<Path> libs = Files.list(jar.resolveSibling("lib"))) {
      for (Path lib : libs.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
        boolean tomcat = lib.getFileName().toString().startsWith("tomcat-");
        (tomcat ? container : launcher).add(toUrl(lib));
      }
    }
    ClassLoader tomcat =
        new URLClassLoader(
            "kpm-tomcat", container.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    ClassLoader loader = new URLClassLoader("kpm-launcher", launcher.toArray(URL[]::new), tomcat);
    Thread.currentThread().setContextClassLoader(loader);
    try {
      loader
          .loadClass("dev.kpm.launcher.Launcher")
          .getMethod("main", String[].class)
          .invoke(null, (Object) args);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  private static URL toUrl(Path path) throws MalformedURLException {
    return path.toUri().toURL();
  }
}
