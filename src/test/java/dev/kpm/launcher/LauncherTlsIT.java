package dev.kpm.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.testing.LauncherProcess;
import dev.kpm.testing.Processes;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The launcher jar with a PKCS#12 keystore made by keytool at test time: its port serves HTTPS to a
 * client that trusts that certificate (the JDK's HttpClient, which checks the host name against the
 * certificate's SAN), and plain HTTP there reaches nothing; the redirect port sends every request
 * to the https URL; a wrong password or a missing keystore stops the launcher before it starts
 * anything, with status 1 and one line saying why. One launcher serves all the HTTPS checks.
 */
class LauncherTlsIT {
  private static final String PASSWORD = "kpm-tls-test";
  private static final String ALIAS = "kpm";

  private static Path dir;
  private static Path keystore;
  private static KeyStore store;
  private static SSLContext trusting;
  private static HttpClient https;
  private static int redirectPort;
  private static LauncherProcess kpm;

  @BeforeAll
  static void makeAKeystore() throws Exception {
    dir = Files.createTempDirectory(Path.of("target"), "launcher-tls-it-");
    keystore = dir.resolve("kpm.p12");
    Processes.run(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair",
            "-storetype",
            "PKCS12",
            "-keystore",
            keystore.toString(),
            "-storepass",
            PASSWORD,
            "-alias",
            ALIAS,
            "-keyalg",
            "EC",
            "-groupname",
            "secp256r1",
            "-dname",
            "CN=localhost",
            "-ext",
            "SAN=dns:localhost,ip:127.0.0.1",
            "-validity",
            "2"),
        Duration.ofSeconds(60));
    store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, PASSWORD.toCharArray());
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    trusting = SSLContext.getInstance("TLS");
    trusting.init(null, trust.getTrustManagers(), null);
    https = HttpClient.newBuilder().sslContext(trusting).build();
  }

  /** The launcher serving HTTPS with the keystore and a redirect port, started once. */
  private static synchronized LauncherProcess served() throws Exception {
    if (kpm == null) {
      redirectPort = LauncherProcess.freePort();
      kpm =
          LauncherProcess.launch(
                  dir.resolve("home"),
                  LauncherProcess.freePort(),
                  "kpm.log",
                  List.of(),
                  Map.of(
                      "KPM_TLS_KEYSTORE", keystore.toString(),
                      "KPM_TLS_KEYSTORE_PASSWORD", PASSWORD,
                      "KPM_TLS_REDIRECT_PORT", Integer.toString(redirectPort)),
                  new LauncherProcess.Endpoint("https", https))
              .awaitReady();
    }
    return kpm;
  }

  @AfterAll
  static void stop() throws Exception {
    if (kpm != null) {
      assertEquals(143, kpm.stop(), "exit status after SIGTERM");
      String log = kpm.log();
      assertFalse(log.contains("SEVERE"), log);
      assertTrue(log.contains("embedded PostgreSQL stopped"), log);
    }
  }

  @Test
  void aClientTrustingTheCertificateGetsTheApiOverHttpsAndTheLogSaysHttps() throws Exception {
    LauncherProcess kpm = served();
    HttpResponse<String> list = kpm.send("GET", "/plugins/sources", null);
    assertEquals(200, list.statusCode());
    assertEquals("[]", list.body());
    assertEquals("https", list.uri().getScheme());
    assertTrue(list.sslSession().isPresent(), "the answer came over TLS");
    String log = kpm.log();
    assertTrue(log.contains("kpm is listening on https://localhost:" + kpm.port()), log);
    assertFalse(log.contains("kpm is listening on http:"), log);
  }

  @Test
  void thePortServesTheKeystoresCertificateWithTls13AndTls12() throws Exception {
    LauncherProcess kpm = served();
    assertEquals("TLSv1.3", handshake(kpm.port(), null));
    assertEquals("TLSv1.2", handshake(kpm.port(), "TLSv1.2"));
  }

  /** The negotiated protocol of a handshake that checks the peer is the keystore's certificate. */
  private static String handshake(int port, String onlyProtocol) throws Exception {
    try (SSLSocket socket =
        (SSLSocket) trusting.getSocketFactory().createSocket("localhost", port)) {
      if (onlyProtocol != null) {
        socket.setEnabledProtocols(new String[] {onlyProtocol});
      }
      socket.startHandshake();
      assertArrayEquals(
          store.getCertificateChain(ALIAS), socket.getSession().getPeerCertificates());
      return socket.getSession().getProtocol();
    }
  }

  @Test
  void aClientThatDoesNotTrustTheCertificateIsRefused() throws Exception {
    LauncherProcess kpm = served();
    HttpClient defaults = HttpClient.newHttpClient();
    assertThrows(
        SSLHandshakeException.class,
        () ->
            defaults.send(
                HttpRequest.newBuilder(kpm.uri("/plugins/sources")).build(),
                HttpResponse.BodyHandlers.ofString()));
  }

  @Test
  void plainHttpOnTheTlsPortDoesNotReachTheApi() throws Exception {
    LauncherProcess kpm = served();
    URI plain = URI.create("http://localhost:" + kpm.port() + "/plugins/sources");
    HttpResponse<String> answer =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(plain).build(), HttpResponse.BodyHandlers.ofString());
    // Tomcat answers a request in clear on a TLS port itself, without passing it on.
    assertEquals(400, answer.statusCode(), answer.body());
    assertNotEquals("[]", answer.body());
    assertTrue(answer.body().contains("requires TLS"), answer.body());
  }

  @Test
  void theRedirectPortAnswersEveryRequestWith308ToTheHttpsUrl() throws Exception {
    LauncherProcess kpm = served();
    String path = "/plugins/sources?x=1&y=%20";
    URI plain = URI.create("http://localhost:" + redirectPort + path);
    HttpClient noFollow = HttpClient.newHttpClient();
    for (String method : List.of("GET", "POST", "PUT", "DELETE")) {
      HttpResponse<String> answer =
          noFollow.send(
              HttpRequest.newBuilder(plain)
                  .method(method, HttpRequest.BodyPublishers.ofString("{\"name\":\"x\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(308, answer.statusCode(), method);
      assertEquals(
          List.of("https://localhost:" + kpm.port() + path),
          answer.headers().allValues("Location"),
          method);
      assertEquals("", answer.body(), method);
    }
    HttpClient following =
        HttpClient.newBuilder()
            .sslContext(trusting)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    HttpResponse<String> followed =
        following.send(
            HttpRequest.newBuilder(
                    URI.create("http://localhost:" + redirectPort + "/plugins/sinks"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, followed.statusCode());
    assertEquals("[]", followed.body());
    assertEquals(kpm.uri("/plugins/sinks"), followed.uri());
  }

  @Test
  void aWrongKeystorePasswordStopsTheLauncherWithStatus1SayingWhy() throws Exception {
    String log =
        refusedStart(
            "wrong-password.log",
            Map.of("KPM_TLS_KEYSTORE", keystore.toString(), "KPM_TLS_KEYSTORE_PASSWORD", "nope!!"));
    assertTrue(
        log.contains(
            "kpm did not start: cannot use the TLS keystore "
                + keystore.toAbsolutePath()
                + ": wrong password (kpm.tls.keystorePassword, KPM_TLS_KEYSTORE_PASSWORD)"),
        log);
  }

  @Test
  void aMissingKeystoreStopsTheLauncherWithStatus1SayingWhy() throws Exception {
    Path missing = dir.resolve("missing.p12").toAbsolutePath();
    String log =
        refusedStart(
            "missing-keystore.log",
            Map.of("KPM_TLS_KEYSTORE", missing.toString(), "KPM_TLS_KEYSTORE_PASSWORD", PASSWORD));
    assertTrue(
        log.contains(
            "kpm did not start: cannot use the TLS keystore "
                + missing
                + ": no such file (kpm.tls.keystore, KPM_TLS_KEYSTORE)"),
        log);
  }

  /**
   * Launches with {@code env}, which must be refused: exit status 1, one SEVERE line, and nothing
   * started (no PostgreSQL, no port).
   */
  private static String refusedStart(String logName, Map<String, String> env) throws Exception {
    Path home = dir.resolve(logName.replace(".log", "-home"));
    LauncherProcess refused =
        LauncherProcess.launch(
            home,
            LauncherProcess.freePort(),
            logName,
            List.of(),
            env,
            new LauncherProcess.Endpoint("https", https));
    assertEquals(1, refused.await(), refused::log);
    String log = refused.log();
    assertEquals(1, log.lines().filter(l -> l.contains("SEVERE")).count(), log);
    assertFalse(log.contains("\tat "), "a line, not a stack trace:\n" + log);
    assertFalse(log.contains("embedded PostgreSQL"), "nothing was started:\n" + log);
    assertFalse(Files.exists(home.resolve("pgdata")), log);
    return log;
  }
}
