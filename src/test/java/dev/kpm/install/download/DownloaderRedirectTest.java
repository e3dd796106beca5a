package dev.kpm.install.download;

import static dev.kpm.install.download.DownloaderTest.open;
import static dev.kpm.install.download.DownloaderTest.policy;
import static dev.kpm.install.download.DownloaderTest.randomBytes;
import static dev.kpm.install.download.DownloaderTest.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kpm.testing.FixtureServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redirects are followed by hand, and every hop passes the scheme, allowlist and network guards.
 */
@Timeout(20)
class DownloaderRedirectTest {
  @TempDir Path dir;
  private Path target;
  private FixtureServer server;

  @BeforeEach
  void start() throws Exception {
    target = dir.resolve("download.zip");
    server = new FixtureServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private String failure(DownloadPolicy policy, URI uri) {
    return DownloaderTest.failure(policy, uri, target);
  }

  @Test
  void redirectChainIsFollowedThroughRelativeAndAbsoluteLocations() throws Exception {
    byte[] body = randomBytes(1000);
    server
        .redirect("/a.zip", 301, "/b.zip")
        .redirect("/b.zip", 302, server.uri("/c.zip").toString())
        .redirect("/c.zip", 303, "d.zip")
        .redirect("/d.zip", 307, "/e.zip#fragment")
        .redirect("/e.zip", 308, "/final.zip")
        .bytes("/final.zip", body);

    Download d = new Downloader(open()).fetch(server.uri("/a.zip"), target);

    assertEquals(sha256(body), d.sha256());
    assertEquals(1, server.hits("/final.zip"));
  }

  @Test
  void tenRedirectsAreFollowedAndAnEleventhIsRefused() throws Exception {
    for (int i = 0; i <= 10; i++) {
      server.redirect("/hop" + i + "/", 302, "/hop" + (i + 1) + "/x.zip");
    }
    server.bytes("/hop11/", new byte[] {1});

    new Downloader(open()).fetch(server.uri("/hop1/x.zip"), target);
    assertEquals(1, server.hits("/hop11/"));
    Files.delete(target);

    assertEquals("too many redirects", failure(open(), server.uri("/hop0/x.zip")));
    assertEquals(1, server.hits("/hop11/"));
  }

  @Test
  void redirectLoopEndsWithTooManyRedirectsAfterElevenRequests() {
    server.redirect("/loop.zip", 302, "/loop.zip");
    assertEquals("too many redirects", failure(open(), server.uri("/loop.zip")));
    assertEquals(11, server.hits("/loop.zip"));
  }

  @Test
  void redirectToFtpIsRefused() {
    server.redirect("/x.zip", 302, "ftp://127.0.0.1/x.zip");
    assertEquals("redirect to unsupported scheme ftp", failure(open(), server.uri("/x.zip")));
  }

  @Test
  void privateNetworkBlockRefusesLoopbackWithEkuipersTextBeforeConnecting() throws Exception {
    server.bytes("/x.zip", new byte[] {1, 2, 3});
    DownloadPolicy blocked = policy(Duration.ofSeconds(10), 1 << 20, true, Set.of());
    int port = server.port();

    assertEquals(
        "Get \"http://127.0.0.1:"
            + port
            + "/x.zip\": dial tcp 127.0.0.1:"
            + port
            + ": ip 127.0.0.1 is in internal network",
        failure(blocked, server.uri("/x.zip")));
    assertEquals(0, server.hits("/x.zip"));

    new Downloader(open()).fetch(server.uri("/x.zip"), target);
    assertEquals(1, server.hits("/x.zip"));
  }

  @Test
  void redirectFromAnAllowedHostToAnUnlistedOneIsRefusedBeforeItIsRequested() {
    server.redirect("/x.zip", 302, server.uri("/elsewhere.zip").toString());
    server.bytes("/elsewhere.zip", new byte[] {1});
    DownloadPolicy onlyLocalhost =
        policy(Duration.ofSeconds(10), 1 << 20, false, Set.of("LocalHost"));
    URI start = URI.create("http://localhost:" + server.port() + "/x.zip");

    assertEquals("host 127.0.0.1 is not in the allowed hosts list", failure(onlyLocalhost, start));
    assertEquals(1, server.hits("/x.zip"));
    assertEquals(0, server.hits("/elsewhere.zip"));
  }

  @Test
  void hostOutsideTheAllowlistIsNeverContacted() {
    server.bytes("/x.zip", new byte[] {1});
    DownloadPolicy onlyRepo =
        policy(Duration.ofSeconds(10), 1 << 20, false, Set.of("repo.example"));

    assertEquals(
        "host 127.0.0.1 is not in the allowed hosts list", failure(onlyRepo, server.uri("/x.zip")));
    assertEquals(0, server.hits("/x.zip"));
  }
}
