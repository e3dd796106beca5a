package dev.kpm.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A second host on this machine: a network namespace joined to this one by a veth pair, each end
 * with an address of a private /30 ({@code 10.213.a.b+1} here, {@code +2} there). A client run in
 * it ({@link #curl}) reaches this host's listening sockets from a non-loopback address, as a remote
 * machine would. Needs root, {@code ip} (iproute2) and {@code curl}.
 *
 * <p>Names carry the test JVM's pid ({@code kpmtest-<pid>}, veth {@code kpmh<pid>}/{@code
 * kpmn<pid>}), so {@link #removeLeftovers()} removes those of JVMs that are gone (a crashed run)
 * without touching a concurrent run's.
 */
public final class SecondHost implements AutoCloseable {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern NETNS = Pattern.compile("kpmtest-(\\d+)");
  private static final Pattern VETH = Pattern.compile("kpmh(\\d+)");

  private final String namespace;
  private final String hostLink;
  private final String hostAddress;
  private final String address;

  private SecondHost(String namespace, String hostLink, String hostAddress, String address) {
    this.namespace = namespace;
    this.hostLink = hostLink;
    this.hostAddress = hostAddress;
    this.address = address;
  }

  /** An HTTP answer: status and body. */
  public record Reply(int status, String body) {}

  /** Fails with a clear message unless this JVM runs as root (CI does). */
  public static void requireRoot(String who) {
    int uid;
    try {
      uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertEquals(
        0,
        uid,
        who
            + " makes a second host with a network namespace and a veth pair, which needs root;"
            + " CI runs as root: run it as root too");
  }

  /** Creates the namespace and the veth pair, links up and addressed; undone by {@link #close}. */
  public static SecondHost create() {
    long pid = ProcessHandle.current().pid();
    String namespace = "kpmtest-" + pid;
    String hostLink = "kpmh" + pid;
    String nsLink = "kpmn" + pid;
    int[] block = freeBlock(pid);
    String prefix = "10.213." + block[0] + ".";
    String hostAddress = prefix + (block[1] + 1);
    String address = prefix + (block[1] + 2);
    SecondHost host = new SecondHost(namespace, hostLink, hostAddress, address);
    try {
      ip("netns", "add", namespace);
      ip("link", "add", hostLink, "type", "veth", "peer", "name", nsLink);
      ip("link", "set", nsLink, "netns", namespace);
      ip("addr", "add", hostAddress + "/30", "dev", hostLink);
      ip("link", "set", hostLink, "up");
      ip("-n", namespace, "addr", "add", address + "/30", "dev", nsLink);
      ip("-n", namespace, "link", "set", nsLink, "up");
      ip("-n", namespace, "link", "set", "lo", "up");
    } catch (RuntimeException | Error e) {
      host.close();
      throw e;
    }
    return host;
  }

  /** A /30 no interface of this host uses yet: third octet and first address of the block. */
  private static int[] freeBlock(long pid) {
    String used = ip("-o", "-4", "addr", "show");
    for (int i = 0; i < 16384; i++) {
      int index = (int) ((pid + i) % 16384);
      int third = index / 64;
      int base = index % 64 * 4;
      boolean taken = false;
      for (int k = 0; k < 4; k++) {
        taken |= used.contains(" 10.213." + third + "." + (base + k) + "/");
      }
      if (!taken) {
        return new int[] {third, base};
      }
    }
    throw new IllegalStateException("no free /30 in 10.213.0.0/16");
  }

  /** Removes namespaces and veth links this class made in JVMs that no longer run. */
  public static void removeLeftovers() {
    for (String line : ip("netns", "list").split("\n")) {
      Matcher m = NETNS.matcher(line.strip().split(" ")[0]);
      if (m.matches() && !Processes.alive(Long.parseLong(m.group(1)))) {
        ip("netns", "delete", m.group());
      }
    }
    for (String line : ip("-o", "link", "show").split("\n")) {
      String[] fields = line.split(": ", 3);
      if (fields.length < 2) {
        continue;
      }
      // The host end: deleting it deletes its peer (which is on the host when never moved).
      Matcher m = VETH.matcher(fields[1].split("@")[0]);
      if (m.matches() && !Processes.alive(Long.parseLong(m.group(1)))) {
        deleteLink(m.group());
      }
    }
  }

  /** Deletes a link; one that is gone meanwhile (its namespace's end went with it) is fine. */
  private static void deleteLink(String name) {
    try {
      ip("link", "delete", name);
    } catch (AssertionError e) {
      if (!runStatus(List.of("ip", "link", "show", name)).isEmpty()) {
        throw e;
      }
    }
  }

  /** This host's address on the link, where the second host reaches it. */
  public String hostAddress() {
    return hostAddress;
  }

  /** The second host's address: what this host sees as the peer of its connections. */
  public String address() {
    return address;
  }

  /**
   * An HTTP request made by curl running in the second host.
   *
   * @param options more curl options: {@code -X POST}, {@code -H …}, {@code --data-binary …}
   */
  public Reply curl(String url, String... options) {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    command.addAll(curlCommand(url, options));
    return reply(command);
  }

  /** The same request made by curl in this host (a loopback client for a loopback URL). */
  public static Reply curlHere(String url, String... options) {
    return reply(curlCommand(url, options));
  }

  private static List<String> curlCommand(String url, String... options) {
    List<String> command =
        new ArrayList<>(
            List.of("curl", "-sS", "--max-time", "20", "-o", "-", "-w", "%{http_code}"));
    command.addAll(List.of(options));
    command.add(url);
    return command;
  }

  private static Reply reply(List<String> command) {
    String out = run(command);
    if (out.length() < 3) {
      throw new AssertionError(command + " printed no status: " + out);
    }
    return new Reply(
        Integer.parseInt(out.substring(out.length() - 3)), out.substring(0, out.length() - 3));
  }

  @Override
  public void close() {
    // Deleting the namespace deletes its veth end, and with it the pair; the host end is deleted
    // on its own in case the pair was made but never moved.
    List<String> errors = new ArrayList<>();
    if (ip("netns", "list").lines().anyMatch(l -> l.split(" ")[0].equals(namespace))) {
      tryIp(errors, "netns", "delete", namespace);
    }
    if (!runStatus(List.of("ip", "link", "show", hostLink)).isEmpty()) {
      try {
        deleteLink(hostLink);
      } catch (AssertionError e) {
        errors.add(e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw new AssertionError("second host not fully removed: " + errors);
    }
  }

  private static void tryIp(List<String> errors, String... args) {
    try {
      ip(args);
    } catch (AssertionError e) {
      errors.add(e.getMessage());
    }
  }

  private static String ip(String... args) {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    return run(command);
  }

  /** Runs a command to its end (bounded); its stdout, or an AssertionError with its output. */
  private static String run(List<String> command) {
    try {
      Path err = Files.createTempFile("kpm-second-host-", ".err");
      try {
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean ended = p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended || p.exitValue() != 0) {
          p.destroyForcibly();
          throw new AssertionError(
              command
                  + " failed ("
                  + (ended ? "exit " + p.exitValue() : "timed out")
                  + "): "
                  + out
                  + Files.readString(err));
        }
        return out;
      } finally {
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The output of a command that succeeded, or empty when it failed. */
  private static String runStatus(List<String> command) {
    try {
      return run(command);
    } catch (AssertionError e) {
      return "";
    }
  }
}
