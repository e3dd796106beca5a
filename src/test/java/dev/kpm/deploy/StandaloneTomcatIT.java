package dev.kpm.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kpm.shaded.com.nimbusds.jose.JOSEException;
import dev.kpm.shaded.com.nimbusds.jose.JOSEObjectType;
import dev.kpm.shaded.com.nimbusds.jose.JWSAlgorithm;
import dev.kpm.shaded.com.nimbusds.jose.JWSHeader;
import dev.kpm.shaded.com.nimbusds.jose.crypto.RSASSASigner;
import dev.kpm.shaded.com.nimbusds.jwt.JWTClaimsSet;
import dev.kpm.shaded.com.nimbusds.jwt.SignedJWT;
import dev.kpm.testing.Await;
import dev.kpm.testing.TestDatabase;
import dev.kpm.testing.TestPlugins;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Deploys target/kpm.war on a standalone Tomcat 11 laid out by {@code tomcat/kpm-tomcat.sh} (the
 * distribution and the JDBC driver from Maven Central, the JNDI DataSource from tomcat/conf) and
 * talks HTTP to it, then stops it and reads Tomcat's logs for errors and leak warnings.
 *
 * <p>kpm runs with eKuiper's JWT scheme on ({@code KPM_AUTH=ekuiper} in the environment of {@code
 * kpm-tomcat.sh start}, as an administrator sets it): the test makes an RSA key pair, puts the
 * public key where eKuiper keeps it ({@code etc/mgmt/<issuer>} in the kpm home the layout defaults
 * to, CATALINA_BASE/kpm-home) and signs RS256 tokens with nimbus, sent bare in {@code
 * Authorization} as eKuiper's clients do.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class StandaloneTomcatIT {
  private static final Duration LAYOUT_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(90);
  private static final List<String> FORBIDDEN_IN_LOG =
      List.of(
          "SEVERE",
          "appears to have started a thread",
          "failed to unregister",
          "registered the JDBC driver");

  /** The token issuer, and so the key file's name in etc/mgmt (eKuiper's convention). */
  private static final String ISSUER = "kpm-standalone-it.pub";

  private static final String MISSING_TOKEN_BODY =
      "{\"error\":1000,\"message\":\"missing_token\"}\n";
  private static final String INVALID_ID_BODY =
      "{\"error\":1000,\"message\":\"id 'a.b' contains invalid characters: only alphanumeric,"
          + " hyphens and underscores are allowed\"}\n";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final KeyPair signer = rsaKeyPair();

  /** The token every request that expects kpm's answer sends. */
  private final String token = token(List.of("eKuiper"));

  @Test
  void servesThePluginApiThroughTheJndiPoolAndStopsWithoutErrorsOrLeaks() throws Exception {
    Path war = Path.of(requiredProperty("kpm.it.war")).toAbsolutePath();
    assertTrue(Files.isRegularFile(war), "no WAR at " + war + ": run mvn package first");
    Path script = Path.of("tomcat", "kpm-tomcat.sh").toAbsolutePath();
    assertTrue(Files.isRegularFile(script), "no deployment script at " + script);
    Path work = war.resolveSibling("it-standalone-tomcat");
    Path base = work.resolve("base");
    deleteRecursively(base);
    Files.createDirectories(work);
    // Where eKuiper keeps token keys, in the kpm home setenv.sh defaults to: a token that verifies
    // proves that kpm reads this home.
    Path keys = base.resolve("kpm-home").resolve("etc").resolve("mgmt");
    Files.createDirectories(keys);
    Files.writeString(keys.resolve(ISSUER), publicKeyPem(signer), StandardCharsets.US_ASCII);

    run(
        script,
        List.of("layout", base.toString(), war.toString()),
        Map.of("KPM_TOMCAT_CACHE", work.resolve("cache").toString()),
        work.resolve("layout.log"),
        LAYOUT_TIMEOUT);

    TestDatabase.Coordinates db = TestDatabase.fresh();
    int port = freePort();
    Map<String, String> env =
        Map.of(
            // '&' in the URL proves setenv.sh quotes values for catalina.sh's eval.
            "DB_URL", db.url() + "?ApplicationName=kpm-it&connectTimeout=10",
            "DB_USER", db.user(),
            "DB_PASSWORD", db.password(),
            "KPM_HTTP_PORT", Integer.toString(port),
            // Read by kpm itself, as every kpm setting's environment variable.
            "KPM_AUTH", "ekuiper");
    Path catalinaOut = base.resolve("logs").resolve("catalina.out");
    Optional<ProcessHandle> tomcat = Optional.empty();
    try {
      run(
          script,
          List.of("start", base.toString()),
          env,
          work.resolve("start.log"),
          SCRIPT_TIMEOUT);
      tomcat = Optional.of(tomcatProcess(base));
      URI root = URI.create("http://127.0.0.1:" + port);
      awaitReady(root.resolve("/plugins/sources"), tomcat.get(), catalinaOut);

      HttpResponse<String> list = get(root.resolve("/plugins/sources"), "Bearer " + token);
      assertEquals(200, list.statusCode(), list::body);
      assertEquals("[]", list.body());
      HttpResponse<String> invalid = get(root.resolve("/plugins/sources/a.b"), token);
      assertEquals(400, invalid.statusCode(), invalid::body);
      assertEquals(INVALID_ID_BODY, invalid.body());
      // Folders kpm made itself at start (the key folder above is the test's).
      assertTrue(
          Files.isDirectory(base.resolve("kpm-home").resolve("plugins").resolve("sources")),
          "KPM_HOME defaults into CATALINA_BASE");

      HttpResponse<String> anonymous = get(root.resolve("/plugins/sources"), null);
      assertEquals(401, anonymous.statusCode(), anonymous::body);
      assertEquals(MISSING_TOKEN_BODY, anonymous.body());
      assertEquals(
          Optional.of("Bearer realm=\"kpm\""), anonymous.headers().firstValue("WWW-Authenticate"));
      HttpResponse<String> wrongAudience =
          get(root.resolve("/plugins/sources"), token(List.of("kpm", "eKuiperX")));
      assertEquals(401, wrongAudience.statusCode(), wrongAudience::body);
      assertTrue(
          wrongAudience
              .body()
              .startsWith("{\"error\":1000,\"message\":\"audience field should contain eKuiper"),
          wrongAudience::body);
      assertEquals(
          Optional.of("Bearer realm=\"kpm\", error=\"invalid_token\""),
          wrongAudience.headers().firstValue("WWW-Authenticate"));
      HttpResponse<String> ping = get(root.resolve("/ping"), null);
      assertEquals(200, ping.statusCode(), ping::body);
      assertEquals("", ping.body());

      // The console: kpm's own servlet serves it on a standalone Tomcat too, and in Chromium it
      // signs in with the token and lists a plugin installed through the API.
      HttpResponse<String> page = get(root.resolve("/console/"), null);
      assertEquals(200, page.statusCode(), page::body);
      assertTrue(
          page.headers()
              .firstValue("Content-Security-Policy")
              .orElse("")
              .startsWith("default-src 'self'"),
          () -> page.headers().map().toString());
      Path zip =
          TestPlugins.zip(
              work.resolve("consolecheck.zip"),
              List.of(TestPlugins.Entry.file("Consolecheck.so", "so")));
      HttpResponse<String> created =
          http.send(
              HttpRequest.newBuilder(root.resolve("/plugins/sinks"))
                  .header("Authorization", token)
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"name\":\"consolecheck\",\"file\":\"file://" + zip + "\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      assertEquals(201, created.statusCode(), created::body);
      run(
          Path.of("build", "console-check.sh").toAbsolutePath(),
          List.of(
              root.toString(), token, "sinks", "consolecheck", work.resolve("console").toString()),
          Map.of(),
          work.resolve("console-check.log"),
          SCRIPT_TIMEOUT);

      run(script, List.of("stop", base.toString()), env, work.resolve("stop.log"), SCRIPT_TIMEOUT);
      assertFalse(
          tomcat.get().isAlive(), "Tomcat (pid " + tomcat.get().pid() + ") still runs after stop");
    } finally {
      // Also when start failed half-way: whatever pid the script recorded must not outlive us.
      tomcat
          .or(() -> recordedTomcat(base))
          .filter(ProcessHandle::isAlive)
          .ifPresent(StandaloneTomcatIT::kill);
    }
    String log = Files.readString(catalinaOut, StandardCharsets.UTF_8);
    assertTrue(log.contains("kpm stopped"), "kpm was not undeployed cleanly; see " + catalinaOut);
    List<String> offending = forbiddenLogLines(base.resolve("logs"));
    assertTrue(offending.isEmpty(), () -> "Tomcat logged:\n" + String.join("\n", offending));
  }

  private void awaitReady(URI uri, ProcessHandle tomcat, Path catalinaOut) {
    Await.until(
        () -> "kpm answers " + uri + ", catalina.out ends:\n" + tail(catalinaOut),
        STARTUP_TIMEOUT,
        () -> answers(uri, tomcat, catalinaOut));
  }

  /** Whether kpm answers for good; fails at once when Tomcat died or started without answering. */
  private boolean answers(URI uri, ProcessHandle tomcat, Path catalinaOut) {
    assertTrue(tomcat.isAlive(), () -> "Tomcat exited during start:\n" + tail(catalinaOut));
    // Tomcat deploys before it logs this line, so from then on anything but 200 is final.
    boolean started = readIfExists(catalinaOut).contains("Server startup in");
    try {
      HttpResponse<String> response = get(uri, token);
      return response.statusCode() == 200 || started;
    } catch (ConnectException | HttpTimeoutException e) {
      // Not listening yet, or listening (Tomcat binds early) but still deploying.
      assertFalse(started, () -> "Tomcat started but does not answer:\n" + tail(catalinaOut));
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + uri, e);
    }
  }

  /** GET with this {@code Authorization} header; none when it is null. */
  private HttpResponse<String> get(URI uri, String authorization)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** An eKuiper token: RS256, issued by {@link #ISSUER} for these audiences, valid for an hour. */
  private String token(List<String> audience) {
    Instant now = Instant.now();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .subject("standalone-tomcat-it")
            .audience(audience)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(Duration.ofHours(1))))
            .build();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).build(), claims);
    try {
      jwt.sign(new RSASSASigner(signer.getPrivate()));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a test token", e);
    }
    return jwt.serialize();
  }

  private static KeyPair rsaKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no RSA key pair generator", e);
    }
  }

  /** The public key as eKuiper's key files hold it: PEM, X.509 SubjectPublicKeyInfo. */
  private static String publicKeyPem(KeyPair pair) {
    Base64.Encoder base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    return "-----BEGIN PUBLIC KEY-----\n"
        + base64.encodeToString(pair.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  /** Runs the script with the given arguments; fails with its output unless it exits 0 in time. */
  private static void run(
      Path script, List<String> args, Map<String, String> env, Path output, Duration timeout)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", script.toString()));
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    // Only what the test sets: an inherited CATALINA_* or KPM_HOME would point elsewhere.
    builder.environment().keySet().removeIf(k -> k.startsWith("CATALINA_") || k.equals("KPM_HOME"));
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      fail(command + " did not finish within " + timeout + ":\n" + Files.readString(output));
    }
    assertEquals(0, process.exitValue(), () -> command + " failed:\n" + readIfExists(output));
  }

  private static ProcessHandle tomcatProcess(Path base) throws IOException {
    Path pidFile = base.resolve("temp").resolve("catalina.pid");
    assertTrue(Files.isRegularFile(pidFile), "start wrote no pid file " + pidFile);
    long pid = Long.parseLong(Files.readString(pidFile).trim());
    return ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no Tomcat process " + pid));
  }

  private static Optional<ProcessHandle> recordedTomcat(Path base) {
    String pid = readIfExists(base.resolve("temp").resolve("catalina.pid")).trim();
    return pid.matches("[0-9]+") ? ProcessHandle.of(Long.parseLong(pid)) : Optional.empty();
  }

  private static void kill(ProcessHandle tomcat) {
    tomcat.destroyForcibly();
    tomcat.onExit().orTimeout(30, TimeUnit.SECONDS).join();
  }

  private static List<String> forbiddenLogLines(Path logs) throws IOException {
    try (Stream<Path> files = Files.list(logs)) {
      List<String> offending = new ArrayList<>();
      // catalina.out, catalina.<date>.log and localhost.<date>.log (the access log is .txt).
      for (Path file : files.filter(StandaloneTomcatIT::isTomcatLog).toList()) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          if (FORBIDDEN_IN_LOG.stream().anyMatch(line::contains)) {
            offending.add(file.getFileName() + ": " + line);
          }
        }
      }
      return offending;
    }
  }

  private static boolean isTomcatLog(Path file) {
    String name = file.getFileName().toString();
    return name.equals("catalina.out") || name.endsWith(".log");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static String requiredProperty(String name) {
    String value = System.getProperty(name);
    assertTrue(value != null && !value.isBlank(), "system property " + name + " is not set");
    return value;
  }

  private static String readIfExists(Path file) {
    try {
      return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String tail(Path file) {
    List<String> lines = readIfExists(file).lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
