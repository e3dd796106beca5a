package dev.kpm.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kpm.testing.LauncherProcess;
import dev.kpm.testing.SecondHost;
import dev.kpm.testing.SecondHost.Reply;
import dev.kpm.testing.TestPlugins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Protected mode against a real remote client: the launcher as the README runs it (listening on
 * every address of the machine, as Tomcat does by default) and curl in a second host — a network
 * namespace behind a veth pair — whose requests arrive from a non-loopback address, as a remote
 * machine's do. Needs root (CI runs as root).
 */
class ProtectedModeIT {
  private static final String SOURCES = "/plugins/sources";
  private static SecondHost remote;
  private static Path home;
  private static int dbPort;
  private static String installBody;

  @BeforeAll
  static void makeTheSecondHost() throws Exception {
    SecondHost.requireRoot("ProtectedModeIT");
    SecondHost.removeLeftovers();
    remote = SecondHost.create();
    Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "protected-mode-it-");
    home = dir.resolve("home");
    dbPort = LauncherProcess.freePort();
    Path zip = TestPlugins.zip("source-complete", Files.createDirectory(dir.resolve("fixtures")));
    installBody = "{\"name\":\"random\",\"file\":\"file://" + zip + "\"}";
  }

  @AfterAll
  static void removeTheSecondHost() {
    if (remote != null) {
      remote.close();
    }
  }

  /** The refusal of a client at {@code address}, exactly. */
  private static String refusal(String address) {
    return "{\"error\":1000,\"message\":\"kpm runs without authentication (kpm.auth=none) in"
        + " protected mode, so it serves only loopback clients, and this request came from "
        + address
        + ". Enable authentication with kpm.auth (KPM_AUTH) = token, ekuiper or oidc, or turn"
        + " protected mode off deliberately with kpm.auth.protectedMode=false"
        + " (KPM_AUTH_PROTECTED_MODE=false)\"}\n";
  }

  private static LauncherProcess launch(String log, Map<String, String> env) throws Exception {
    return LauncherProcess.launch(home, dbPort, log, List.of(), env, LauncherProcess.Endpoint.HTTP)
        .awaitReady();
  }

  /** {@code path} on the launcher as the second host reaches it. */
  private static String remoteUrl(LauncherProcess kpm, String path) {
    return "http://" + remote.hostAddress() + ":" + kpm.port() + path;
  }

  private static String loopbackUrl(LauncherProcess kpm, String path) {
    return "http://127.0.0.1:" + kpm.port() + path;
  }

  private static void assertReply(int status, String body, Reply reply) {
    assertEquals(body, reply.body());
    assertEquals(status, reply.status(), reply.body());
  }

  @Test
  void byDefaultARemoteClientIsRefusedWithTheReasonAndItsForwardedForIsIgnored() throws Exception {
    LauncherProcess kpm = launch("default.log", Map.of());
    try {
      String me = remote.address();
      assertReply(403, refusal(me), remote.curl(remoteUrl(kpm, SOURCES)));
      assertReply(
          403,
          refusal(me),
          remote.curl(
              remoteUrl(kpm, SOURCES),
              "-X",
              "POST",
              "-H",
              "Content-Type: application/json",
              "--data-binary",
              installBody));
      // A peer that is no trusted proxy cannot claim to forward for loopback.
      assertReply(
          403,
          refusal(me),
          remote.curl(remoteUrl(kpm, SOURCES), "-H", "X-Forwarded-For: 127.0.0.1"));
      // Also not the public paths.
      assertReply(403, refusal(me), remote.curl(remoteUrl(kpm, "/ping")));

      assertReply(200, "[]", SecondHost.curlHere(loopbackUrl(kpm, SOURCES)));
      // The refused POST would have installed: from loopback the same request does.
      assertReply(
          201,
          "sources plugin random is created",
          SecondHost.curlHere(
              loopbackUrl(kpm, SOURCES),
              "-X",
              "POST",
              "-H",
              "Content-Type: application/json",
              "--data-binary",
              installBody));
    } finally {
      assertEquals(143, kpm.stop(), "exit status after SIGTERM");
    }
  }

  @Test
  void behindATrustedProxyTheForwardedClientDecides() throws Exception {
    String proxy = remote.address();
    LauncherProcess kpm =
        launch("trusted.log", Map.of("KPM_AUTH_TRUSTED_PROXIES", proxy + ", 127.0.0.1"));
    try {
      String list = SecondHost.curlHere(loopbackUrl(kpm, SOURCES)).body();
      assertReply(
          200, list, remote.curl(remoteUrl(kpm, SOURCES), "-H", "X-Forwarded-For: 127.0.0.1"));
      assertReply(
          403,
          refusal("203.0.113.9"),
          remote.curl(remoteUrl(kpm, SOURCES), "-H", "X-Forwarded-For: 203.0.113.9"));
      // The rightmost hop the proxy did not vouch for is the client, whatever is left of it.
      assertReply(
          403,
          refusal("203.0.113.9"),
          remote.curl(remoteUrl(kpm, SOURCES), "-H", "X-Forwarded-For: 127.0.0.1, 203.0.113.9"));
      // The proxy's own requests are not loopback's.
      assertReply(403, refusal(proxy), remote.curl(remoteUrl(kpm, SOURCES)));
      // A local proxy (127.0.0.1 trusted) forwarding a remote client.
      assertReply(
          403,
          refusal("10.9.9.9"),
          SecondHost.curlHere(loopbackUrl(kpm, SOURCES), "-H", "X-Forwarded-For: 10.9.9.9"));
    } finally {
      assertEquals(143, kpm.stop(), "exit status after SIGTERM");
    }
  }

  @Test
  void withProtectedModeOffARemoteClientIsServed() throws Exception {
    LauncherProcess kpm = launch("unprotected.log", Map.of("KPM_AUTH_PROTECTED_MODE", "false"));
    try {
      String list = SecondHost.curlHere(loopbackUrl(kpm, SOURCES)).body();
      assertReply(200, list, remote.curl(remoteUrl(kpm, SOURCES)));
    } finally {
      assertEquals(143, kpm.stop(), "exit status after SIGTERM");
    }
  }
}
