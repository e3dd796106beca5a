package dev.kpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The package map of docs/architecture.md, enforced on the compiled classes: the JDK's {@code
 * jdeps} lists every class-to-class dependency, and an edge the map does not allow fails the build.
 * Persistence is reached from above the domain only for its outage exceptions.
 */
class ArchitectureTest {
  private static final String PERSISTENCE_EXCEPTIONS = "persistence:Exception";

  /** What each package may use of kpm (besides itself). */
  static final Map<String, Set<String>> MAY_USE =
      Map.ofEntries(
          Map.entry(
              "dev.kpm",
              Set.of(
                  "api",
                  "api.error",
                  "api.dto",
                  "audit",
                  "compat",
                  "events",
                  "fleet",
                  "install",
                  "install.archive",
                  "install.download",
                  "install.layout",
                  "install.staging",
                  "metrics",
                  "persistence",
                  "plugin",
                  "portable",
                  "process",
                  "security",
                  "threads",
                  "upload")),
          Map.entry(
              "api",
              Set.of(
                  "api.dto",
                  "api.error",
                  "audit",
                  "events",
                  "fleet",
                  "install",
                  "plugin",
                  "portable",
                  "security",
                  "upload",
                  PERSISTENCE_EXCEPTIONS)),
          Map.entry("api.dto", Set.of("audit", "fleet", "plugin", "portable", "security")),
          Map.entry(
              "api.error",
              Set.of("api.dto", "audit", "plugin", "security", "upload", PERSISTENCE_EXCEPTIONS)),
          Map.entry("audit", Set.of("persistence", "threads")),
          Map.entry("compat", Set.of()),
          Map.entry("events", Set.of("threads")),
          Map.entry("fleet", Set.of("audit", "persistence", "plugin", "threads")),
          Map.entry(
              "install",
              Set.of(
                  "audit",
                  "compat",
                  "fleet",
                  "install.archive",
                  "install.download",
                  "install.layout",
                  "install.staging",
                  "plugin",
                  "portable",
                  "process",
                  "threads",
                  PERSISTENCE_EXCEPTIONS)),
          Map.entry("install.archive", Set.of()),
          Map.entry("install.download", Set.of("threads")),
          Map.entry("install.layout", Set.of("install.archive", "plugin")),
          Map.entry("install.staging", Set.of()),
          Map.entry("launcher", Set.of("dev.kpm:Setting")),
          Map.entry("metrics", Set.of()),
          Map.entry("persistence", Set.of("threads")),
          Map.entry("plugin", Set.of("audit", "persistence")),
          Map.entry("portable", Set.of("plugin", "portable.sp", "process", "threads")),
          Map.entry("portable.sp", Set.of()),
          Map.entry("security", Set.of("audit", "persistence", "threads")),
          Map.entry("process", Set.of()),
          Map.entry("threads", Set.of()),
          Map.entry("upload", Set.of("install.download")));

  private static final String SHADED = "dev.kpm.shaded.";

  private static final Pattern EDGE =
      Pattern.compile("^\\s+(dev\\.kpm[\\w.$]*)\\s+->\\s+(dev\\.kpm[\\w.$]*)\\s");

  @Test
  void everyImportFollowsThePackageMap() {
    List<String> edges = classEdges();
    assertTrue(edges.size() > 100, "jdeps listed the classes: " + edges.size());
    Set<String> forbidden = new TreeSet<>();
    for (String edge : edges) {
      String[] ends = edge.split(" -> ");
      String from = pkg(ends[0]);
      String to = pkg(ends[1]);
      if (!from.equals(to) && !allowed(from, to, simpleName(ends[1]))) {
        forbidden.add(ends[0] + " -> " + ends[1]);
      }
    }
    assertEquals(Set.of(), forbidden, "edges against docs/architecture.md's package map");
  }

  @Test
  void everyPackageIsOnTheMap() {
    Set<String> unknown = new TreeSet<>();
    for (String edge : classEdges()) {
      for (String end : edge.split(" -> ")) {
        if (!MAY_USE.containsKey(pkg(end))) {
          unknown.add(pkg(end));
        }
      }
    }
    assertEquals(Set.of(), unknown, "packages missing from the map (and docs/architecture.md)");
  }

  private static boolean allowed(String from, String to, String targetClass) {
    Set<String> rules = MAY_USE.getOrDefault(from, Set.of());
    if (rules.contains(to)) {
      return true;
    }
    for (String rule : rules) {
      String[] parts = rule.split(":");
      if (parts.length == 2 && parts[0].equals(to)) {
        String suffixOrPrefix = parts[1];
        if (targetClass.endsWith(suffixOrPrefix) || targetClass.startsWith(suffixOrPrefix)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The map's short name of a class's package: "dev.kpm" or the part after "dev.kpm.". */
  private static String pkg(String className) {
    String p = className.substring(0, className.lastIndexOf('.'));
    return p.equals("dev.kpm") ? p : p.substring("dev.kpm.".length());
  }

  private static String simpleName(String className) {
    String simple = className.substring(className.lastIndexOf('.') + 1);
    int nested = simple.indexOf('$');
    return nested < 0 ? simple : simple.substring(0, nested);
  }

  private static List<String> classEdges() {
    ToolProvider jdeps =
        ToolProvider.findFirst("jdeps")
            .orElseThrow(() -> new AssertionError("no jdeps in this JDK"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status =
        jdeps.run(
            new PrintWriter(out),
            new PrintWriter(err),
            "-verbose:class",
            "-filter:none",
            Path.of("target/classes").toString());
    assertEquals(0, status, err.toString());
    return out.toString()
        .lines()
        .map(EDGE::matcher)
        .filter(Matcher::find)
        .map(m -> m.group(1) + " -> " + m.group(2))
        // dev.kpm.shaded: relocated libraries (nimbus-jose-jwt), unpacked into target/classes by
        // the
        // build; not kpm's packages, so kpm may use them like any library, and their own edges are
        // none of the map's business.
        .filter(edge -> !edge.contains(SHADED))
        .toList();
  }
}
