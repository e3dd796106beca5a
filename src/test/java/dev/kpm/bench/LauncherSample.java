package dev.kpm.bench;

import dev.kpm.testing.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One look at the launcher JVM for {@link Soak}, from {@code /proc} and {@code jcmd}: what would
 * grow if create/drop cycles leaked. Linux only.
 *
 * @param threads {@code Threads:} of {@code /proc/<pid>/status}
 * @param fds entries of {@code /proc/<pid>/fd}, but for the web application's jars ({@code
 *     WEB-INF/lib/*.jar}): Tomcat closes those when unused for a while and opens them again when it
 *     loads a class, some 40 descriptors that come and go
 * @param sockets socket files {@code /tmp/plugin_*.ipc} and {@code /tmp/*soak*.ipc}, sorted names
 * @param children processes below the launcher JVM (its descendants)
 * @param heapKb heap in use after two full GCs ({@code jcmd GC.run} twice, then {@code
 *     GC.heap_info}), in KiB
 */
record LauncherSample(int threads, long fds, List<String> sockets, long children, long heapKb) {
  private static final Path TMP = Path.of("/tmp");
  private static final Duration JCMD_TIMEOUT = Duration.ofSeconds(60);
  // " garbage-first heap   total 262144K, used 31927K [...": a whole-heap or generation line.
  private static final Pattern SPACE =
      Pattern.compile("^\\s*(\\S.*?)\\s+total (\\d+)K, used (\\d+)K", Pattern.MULTILINE);

  /** Samples the JVM {@code pid}. */
  static LauncherSample of(long pid) {
    Path proc = Path.of("/proc", Long.toString(pid));
    return new LauncherSample(
        threads(proc),
        descriptors(proc.resolve("fd")),
        socketFiles(),
        ProcessHandle.of(pid).map(h -> h.descendants().count()).orElse(0L),
        liveHeapKb(pid));
  }

  /** The socket files of {@link #sockets()} now in /tmp. */
  static List<String> socketFiles() {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> tmp = Files.newDirectoryStream(TMP, "*.ipc")) {
      for (Path p : tmp) {
        String name = p.getFileName().toString();
        if (name.startsWith("plugin_") || name.contains("soak")) {
          names.add(name);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + TMP, e);
    }
    names.sort(null);
    return names;
  }

  private static int threads(Path proc) {
    try (Stream<String> lines = Files.lines(proc.resolve("status"))) {
      return lines
          .filter(l -> l.startsWith("Threads:"))
          .map(l -> Integer.parseInt(l.substring("Threads:".length()).trim()))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("no Threads: in " + proc + "/status"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + proc + "/status", e);
    }
  }

  private static long descriptors(Path fdDir) {
    try (Stream<Path> entries = Files.list(fdDir)) {
      return entries.filter(fd -> !webappJar(fd)).count();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + fdDir, e);
    }
  }

  private static boolean webappJar(Path fd) {
    try {
      String target = Files.readSymbolicLink(fd).toString();
      return target.contains("/WEB-INF/lib/") && target.endsWith(".jar");
    } catch (IOException e) {
      return false; // closed meanwhile: counted, as it was open when listed
    }
  }

  private static long liveHeapKb(long pid) {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    String target = Long.toString(pid);
    Processes.run(List.of(jcmd, target, "GC.run"), JCMD_TIMEOUT);
    Processes.run(List.of(jcmd, target, "GC.run"), JCMD_TIMEOUT);
    return usedKb(Processes.run(List.of(jcmd, target, "GC.heap_info"), JCMD_TIMEOUT));
  }

  /**
   * The {@code used} of the whole heap in {@code GC.heap_info}: the line of a heap (G1,
   * Shenandoah), else the sum of the generations (Serial, Parallel), never Metaspace.
   */
  static long usedKb(String heapInfo) {
    Matcher m = SPACE.matcher(heapInfo);
    long generations = 0;
    boolean found = false;
    while (m.find()) {
      String space = m.group(1).toLowerCase(Locale.ROOT);
      long used = Long.parseLong(m.group(3));
      if (space.contains("heap")) {
        return used;
      }
      if (!space.contains("metaspace") && !space.contains("class space")) {
        generations += used;
        found = true;
      }
    }
    if (!found) {
      throw new IllegalStateException("cannot read the heap from GC.heap_info:\n" + heapInfo);
    }
    return generations;
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "threads %d, fds %d, socket files %d %s, child processes %d, live heap %.1f MiB",
        threads,
        fds,
        sockets.size(),
        sockets,
        children,
        heapKb / 1024.0);
  }
}
