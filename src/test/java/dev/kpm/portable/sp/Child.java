package dev.kpm.portable.sp;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A child process whose merged output is collected line by line; close kills it. */
final class Child implements AutoCloseable {
  private final String name;
  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final Thread pump;

  private Child(String name, Process process) {
    this.name = name;
    this.process = process;
    this.pump = new Thread(this::pump, "sp-test-output-" + name);
    pump.setDaemon(true);
    pump.start();
  }

  static Child start(List<String> command, Map<String, String> env, Path workDir)
      throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    if (workDir != null) {
      builder.directory(workDir.toFile());
    }
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return new Child(Path.of(command.get(0)).getFileName().toString(), builder.start());
  }

  /** The first line matching {@code wanted}, waiting up to {@code within}; else fails the test. */
  String awaitLine(Predicate<String> wanted, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    synchronized (lines) {
      while (true) {
        for (String line : lines) {
          if (wanted.test(line)) {
            return line;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return fail(name + " printed no matching line within " + within + ":\n" + output());
        }
        TimeUnit.NANOSECONDS.timedWait(lines, left);
      }
    }
  }

  /**
   * Waits until {@code n} lines match {@code wanted} (on the output's own monitor, woken by each
   * new line); fails the test after {@code within}.
   */
  void awaitLines(Predicate<String> wanted, int n, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    synchronized (lines) {
      while (lines.stream().filter(wanted).count() < n) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          fail(
              name
                  + " printed fewer than "
                  + n
                  + " matching lines in "
                  + within
                  + ":\n"
                  + output());
        }
        TimeUnit.NANOSECONDS.timedWait(lines, left);
      }
    }
  }

  long count(Predicate<String> wanted) {
    synchronized (lines) {
      return lines.stream().filter(wanted).count();
    }
  }

  String output() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  /**
   * The exit status, once the process has ended and all it printed has been read (so {@link
   * #output} is complete); fails the test if that takes longer than {@code within}.
   */
  int exitStatus(Duration within) throws InterruptedException {
    if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
      fail(name + " still runs after " + within + ":\n" + output());
    }
    pump.join(within.toMillis());
    if (pump.isAlive()) {
      fail(name + " ended but its output did not within " + within + ":\n" + output());
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(20, TimeUnit.SECONDS);
    pump.join(5_000);
  }

  private void pump() {
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        synchronized (lines) {
          lines.add(line);
          lines.notifyAll();
        }
      }
    } catch (IOException closed) {
      // the process is gone
    }
  }
}
