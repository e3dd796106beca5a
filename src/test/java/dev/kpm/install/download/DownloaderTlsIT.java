package dev.kpm.install.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.kpm.testing.FixtureServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** TLS is verified: a self-signed server is refused, though a client that trusts it can read it. */
@Timeout(30)
class DownloaderTlsIT {
  private static final char[] PASSWORD = "changeit".toCharArray();

  @TempDir Path dir;

  @Test
  void selfSignedServerIsRefusedWithTheTlsCause() throws Exception {
    SSLContext serverTls = tls(selfSignedKeystore(), true);
    HttpsServer https =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    https.setHttpsConfigurator(new HttpsConfigurator(serverTls));
    try (FixtureServer server = new FixtureServer(https)) {
      server.bytes("/x.zip", new byte[] {1, 2, 3});
      URI uri = server.uri("/x.zip");
      Path target = dir.resolve("download.zip");

      DownloadException e =
          assertThrows(
              DownloadException.class,
              () -> new Downloader(policy()).fetch(uri, target),
              "a server whose certificate no CA signed must be refused");

      assertTrue(e.getMessage().startsWith("Get \"" + uri + "\": tls: "), e.getMessage());
      assertTrue(e.getMessage().contains("PKIX"), e.getMessage());
      assertFalse(Files.exists(target));
      assertEquals(0, server.hits("/x.zip"));
      // The same server works for a client that trusts its certificate: refusal is verification.
      assertEquals(3, trustingClientGet(uri));
      assertEquals(1, server.hits("/x.zip"));
    }
  }

  @Test
  void certificateIsVerifiedAgainstTheUrlsHostNameWhileTheConnectionUsesThePinnedAddress()
      throws Exception {
    Path keystore = selfSignedKeystore("named.p12", "CN=kpm.test", "SAN=dns:kpm.test");
    HttpsServer https =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    https.setHttpsConfigurator(new HttpsConfigurator(tls(keystore, true)));
    // Every name is pinned to 127.0.0.1, where the server is; the certificate names kpm.test only.
    Resolver loopback =
        host -> new InetAddress[] {InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1})};
    Downloader trusting = new Downloader(policy(), loopback, tls(keystore, false));
    try (FixtureServer server = new FixtureServer(https)) {
      server.bytes("/x.zip", new byte[] {1, 2, 3});
      int port = server.port();

      Download d =
          trusting.fetch(
              URI.create("https://kpm.test:" + port + "/x.zip"), dir.resolve("named.zip"));
      assertEquals(3, d.bytes(), "a trusted certificate naming the URL's host is accepted");
      assertEquals(1, server.hits("/x.zip"));

      for (String host : new String[] {"other.test", "127.0.0.1"}) {
        URI uri = URI.create("https://" + host + ":" + port + "/x.zip");
        Path target = dir.resolve(host + ".zip");
        DownloadException e =
            assertThrows(
                DownloadException.class,
                () -> trusting.fetch(uri, target),
                "the certificate does not name " + host);
        assertTrue(e.getMessage().startsWith("Get \"" + uri + "\": tls: "), e.getMessage());
        assertTrue(e.getMessage().contains(host), e.getMessage());
        assertFalse(Files.exists(target));
      }
      assertEquals(1, server.hits("/x.zip"), "no request after a failed host name check");
    } finally {
      trusting.close();
    }
  }

  private static DownloadPolicy policy() {
    return new DownloadPolicy(Duration.ofSeconds(10), 1 << 20, false, null, false, Set.of());
  }

  private Path selfSignedKeystore() throws Exception {
    return selfSignedKeystore("server.p12", "CN=127.0.0.1", "SAN=ip:127.0.0.1");
  }

  private Path selfSignedKeystore(String file, String dname, String san) throws Exception {
    Path keystore = dir.resolve(file);
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p =
        new ProcessBuilder(
                keytool.toString(),
                "-genkeypair",
                "-alias",
                "kpm",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                dname,
                "-ext",
                san,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                "changeit",
                "-keypass",
                "changeit")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("keytool.log").toFile())
            .start();
    assertTrue(p.waitFor(20, TimeUnit.SECONDS), "keytool did not finish");
    assertEquals(0, p.exitValue(), () -> "keytool failed: " + read(dir.resolve("keytool.log")));
    return keystore;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (Exception e) {
      return e.toString();
    }
  }

  /** The server's context (keys) or a client context trusting exactly that certificate. */
  private static SSLContext tls(Path keystore, boolean server) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, PASSWORD);
    }
    SSLContext context = SSLContext.getInstance("TLS");
    if (server) {
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, PASSWORD);
      context.init(keys.getKeyManagers(), null, null);
    } else {
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      context.init(null, trust.getTrustManagers(), null);
    }
    return context;
  }

  // The test's own client, to show the server works for a client that trusts it.
  private int trustingClientGet(URI uri) throws Exception {
    SSLContext trusting = tls(dir.resolve("server.p12"), false);
    HttpClient client = HttpClient.newBuilder().sslContext(trusting).build();
    return client
        .send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofByteArray())
        .body()
        .length;
  }
}
