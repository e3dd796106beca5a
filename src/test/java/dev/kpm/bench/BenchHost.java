package dev.kpm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What {@link InstallBench} asks of the machine: commands, CPU times from {@code /proc}, the load
 * average, a description of the machine, and folder removal. Linux only.
 */
final class BenchHost {
  // USER_HZ: /proc reports CPU in 1/100 s on every Linux architecture kpm runs on.
  private static final double TICKS_PER_SECOND = 100.0;

  private BenchHost() {}

  /** Runs a command to its end (at most 5 minutes), with this process's output; fails unless 0. */
  static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).inheritIO().start();
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " failed");
    }
  }

  /** Writes every dirty page of the machine back to disk. */
  static void sync() throws IOException, InterruptedException {
    run("sync");
  }

  /**
   * User + system CPU seconds of kpm: its JVM (the launcher, a child of this JVM) and its embedded
   * PostgreSQL (a daemon, found by its data folder on its command line, with its backends).
   */
  static double kpmCpu(Path pgdata) throws IOException {
    long ticks = 0;
    for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
      String command = p.info().commandLine().orElse("");
      boolean launcher =
          p.parent().map(ProcessHandle.current()::equals).orElse(false)
              && command.contains("kpm-launcher");
      if (launcher || command.contains(pgdata.toString())) {
        ticks += statTicks("/proc/" + p.pid() + "/stat", 14);
        for (ProcessHandle child : p.children().toList()) {
          ticks += statTicks("/proc/" + child.pid() + "/stat", 14);
        }
      }
    }
    return ticks / TICKS_PER_SECOND;
  }

  /** User + system CPU seconds of this JVM: the bench's HTTP clients and file server. */
  static double ownCpu() throws IOException {
    return statTicks("/proc/self/stat", 14) / TICKS_PER_SECOND;
  }

  /** User + system CPU seconds of this JVM's ended children (unzip, sync). */
  static double childrenCpu() throws IOException {
    return statTicks("/proc/self/stat", 16) / TICKS_PER_SECOND;
  }

  /** User + system CPU seconds of one process so far; 0 once it has ended. */
  static double processCpu(long pid) throws IOException {
    return statTicks("/proc/" + pid + "/stat", 14) / TICKS_PER_SECOND;
  }

  /**
   * User + system CPU seconds so far of one JVM's JIT compiler threads (C1 and C2): how much of its
   * CPU still went to compiling, to tell a warmed-up JVM from one that is not.
   */
  static double jitCpu(long pid) throws IOException {
    long ticks = 0;
    Path tasks = Path.of("/proc/" + pid + "/task");
    try (Stream<Path> all = Files.list(tasks)) {
      for (Path task : all.toList()) {
        String comm;
        try {
          comm = Files.readString(task.resolve("comm"));
        } catch (NoSuchFileException gone) {
          continue;
        }
        if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
          ticks += statTicks(task.resolve("stat").toString(), 14);
        }
      }
    } catch (NoSuchFileException gone) {
      return 0;
    }
    return ticks / TICKS_PER_SECOND;
  }

  /** Fields {@code field} and {@code field + 1} of a /proc stat file, added (proc(5) numbering). */
  private static long statTicks(String stat, int field) throws IOException {
    String line;
    try {
      line = Files.readString(Path.of(stat));
    } catch (NoSuchFileException gone) {
      return 0; // a process that ended meanwhile
    }
    // After "pid (comm) " comes field 3; comm may hold spaces, hence the split after its ')'.
    String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[field - 3]) + Long.parseLong(f[field - 2]);
  }

  /**
   * CPU seconds the whole machine has been busy so far, on all cores: every process and the kernel
   * (/proc/stat's first line, less idle and iowait).
   */
  static double machineBusy() throws IOException {
    String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
    String[] f = cpu.trim().split("\\s+");
    long busy = 0;
    // cpu user nice system idle iowait irq softirq steal ...: the first eight counters
    for (int i = 1; i <= 8 && i < f.length; i++) {
      if (i != 4 && i != 5) {
        busy += Long.parseLong(f[i]);
      }
    }
    return busy / TICKS_PER_SECOND;
  }

  static String loadAverage() throws IOException {
    String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return f[0] + " " + f[1] + " " + f[2];
  }

  /** Cores, CPU model, kernel, the work folder's file system type and the Java version. */
  static String machine(Path work) throws IOException {
    String cpu;
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      cpu =
          lines
              .filter(l -> l.startsWith("model name"))
              .findFirst()
              .map(l -> l.substring(l.indexOf(':') + 1).trim())
              .orElse("unknown CPU");
    }
    return Runtime.getRuntime().availableProcessors()
        + " cores, "
        + cpu
        + ", Linux "
        + System.getProperty("os.version")
        + ", work folder on "
        + Files.getFileStore(work).type()
        + ", Java "
        + System.getProperty("java.version");
  }

  /** Removes a folder and everything in it; nothing when it does not exist. */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * Caps process {@code pid}, and what it starts later, at {@code cpus} CPUs in a cgroup of its own
   * ({@code kpm-bench-<name>}): {@code cpu.max} where the unified hierarchy (cgroup v2) has the cpu
   * controller, else cgroup v1's {@code cpu.cfs_quota_us}. Needs root. Returns the group's folder,
   * for {@link #uncap}.
   */
  static Path capCpu(long pid, String name, double cpus) throws IOException {
    long period = 100_000;
    long quota = Math.max(1_000, Math.round(cpus * period));
    Path root = Path.of("/sys/fs/cgroup");
    Path controllers = root.resolve("cgroup.controllers");
    Path group;
    if (Files.exists(controllers) && Files.readString(controllers).contains("cpu")) {
      Files.writeString(root.resolve("cgroup.subtree_control"), "+cpu");
      group = Files.createDirectories(root.resolve("kpm-bench-" + name));
      Files.writeString(group.resolve("cpu.max"), quota + " " + period);
    } else if (Files.exists(root.resolve("cpu").resolve("cpu.cfs_quota_us"))) {
      group = Files.createDirectories(root.resolve("cpu").resolve("kpm-bench-" + name));
      Files.writeString(group.resolve("cpu.cfs_period_us"), Long.toString(period));
      Files.writeString(group.resolve("cpu.cfs_quota_us"), Long.toString(quota));
    } else {
      throw new IOException(
          "no cgroup cpu controller in /sys/fs/cgroup (v2) or /sys/fs/cgroup/cpu (v1)");
    }
    Files.writeString(group.resolve("cgroup.procs"), Long.toString(pid));
    return group;
  }

  /** Removes a group of {@link #capCpu} once its processes have ended; best effort. */
  static void uncap(Path group) {
    try {
      Files.deleteIfExists(group);
    } catch (IOException e) {
      System.err.println("could not remove " + group + ": " + e.getMessage());
    }
  }
}
