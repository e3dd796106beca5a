package dev.kpm.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * kpm's launcher jar (the README's run command) in a JVM of its own, with its embedded PostgreSQL
 * on a known port, started and waited for until it answers.
 */
public final class LauncherProcess {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private final Process process;
  private final Path log;
  private final int port;
  private final Endpoint endpoint;

  /**
   * How the tests talk to the launcher's port: plain HTTP by default; {@code https} with a client
   * that trusts the launcher's certificate when it serves TLS.
   */
  public record Endpoint(String scheme, HttpClient client) {
    public static final Endpoint HTTP = new Endpoint("http", HttpClient.newHttpClient());
  }

  private LauncherProcess(Process process, Path log, int port, Endpoint endpoint) {
    this.process = process;
    this.log = log;
    this.port = port;
    this.endpoint = endpoint;
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the launcher on {@code home} and waits until {@code GET /plugins/sources} is 200. */
  public static LauncherProcess start(Path home, int dbPort, String logName) throws Exception {
    return start(home, dbPort, logName, List.of());
  }

  /** As {@link #start(Path, int, String)}, with more options for the launcher's JVM. */
  public static LauncherProcess start(
      Path home, int dbPort, String logName, List<String> jvmOptions) throws Exception {
    return launch(home, dbPort, logName, jvmOptions, Map.of(), Endpoint.HTTP).awaitReady();
  }

  /**
   * Starts the launcher on {@code home} with more environment variables, without waiting: {@link
   * #awaitReady()} waits until it answers on {@code endpoint}, {@link #await()} until it exits.
   */
  public static LauncherProcess launch(
      Path home,
      int dbPort,
      String logName,
      List<String> jvmOptions,
      Map<String, String> env,
      Endpoint endpoint)
      throws IOException {
    return launch(List.of(), home, dbPort, logName, jvmOptions, env, endpoint);
  }

  /**
   * As {@link #launch(Path, int, String, List, Map, Endpoint)}, the JVM started through {@code
   * wrapper} (a command that ends by exec'ing its arguments, so the pid stays the JVM's).
   */
  public static LauncherProcess launch(
      List<String> wrapper,
      Path home,
      int dbPort,
      String logName,
      List<String> jvmOptions,
      Map<String, String> env,
      Endpoint endpoint)
      throws IOException {
    int port = freePort();
    Path log = home.resolveSibling(logName);
    List<String> command = new ArrayList<>(wrapper);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-Dkpm.db.port=" + dbPort);
    command.add("-jar");
    command.add(System.getProperty("kpm.it.launcher"));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("KPM_HOME", home.toString());
    builder.environment().put("KPM_PORT", Integer.toString(port));
    builder.environment().remove("DB_URL");
    builder.environment().putAll(env);
    return new LauncherProcess(builder.start(), log, port, endpoint);
  }

  /** Waits until {@code GET /plugins/sources} is 200; fails with the log if it never is. */
  public LauncherProcess awaitReady() {
    try {
      Await.until("kpm answers GET /plugins/sources", START_TIMEOUT, this::answers);
    } catch (AssertionError e) {
      process.destroyForcibly();
      throw new AssertionError(e.getMessage() + ":\n" + log(), e);
    }
    return this;
  }

  /** Whether {@code GET /plugins/sources} is 200 yet; fails at once when the JVM has exited. */
  private boolean answers() {
    if (!process.isAlive()) {
      throw new AssertionError("launcher exited early");
    }
    try {
      return send("GET", "/plugins/sources", null).statusCode() == 200;
    } catch (ConnectException notYet) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for kpm", e);
    } catch (Exception e) {
      throw new AssertionError("GET /plugins/sources failed", e);
    }
  }

  public HttpResponse<String> send(String method, String path, String body) throws Exception {
    HttpRequest.BodyPublisher publisher =
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body);
    return endpoint
        .client()
        .send(
            HttpRequest.newBuilder(uri(path)).method(method, publisher).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  /** The launcher's port ({@code kpm.port}). */
  public int port() {
    return port;
  }

  /** {@code path} on the launcher's port, with the endpoint's scheme and host {@code localhost}. */
  public URI uri(String path) {
    return URI.create(endpoint.scheme() + "://localhost:" + port + path);
  }

  /** The launcher JVM's pid. */
  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** SIGTERM, and the exit status once it has stopped. */
  public int stop() throws InterruptedException {
    process.destroy();
    return await();
  }

  /** SIGKILL: no shutdown hook runs. */
  public int kill() throws InterruptedException {
    process.destroyForcibly();
    return await();
  }

  /** Waits (bounded) for the JVM to exit by itself, e.g. after {@code ?stop=1}. */
  public int await() throws InterruptedException {
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), () -> "launcher did not exit:\n" + log());
    return process.exitValue();
  }
}
