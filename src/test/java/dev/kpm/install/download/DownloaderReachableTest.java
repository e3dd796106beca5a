package dev.kpm.install.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.testing.FixtureServer;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The prebuild check's HEAD probe (docs/api.md §8.12) under the download policy. */
@Timeout(20)
class DownloaderReachableTest {
  private FixtureServer server;
  private final CountDownLatch hang = new CountDownLatch(1);

  @BeforeEach
  void start() {
    server =
        new FixtureServer()
            .on(
                "/ok.zip",
                ex -> {
                  assertEquals("HEAD", ex.getRequestMethod());
                  ex.sendResponseHeaders(200, -1);
                })
            .on("/gone.zip", ex -> ex.sendResponseHeaders(404, -1))
            .on(
                "/hang.zip",
                ex -> {
                  try {
                    hang.await(10, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  ex.sendResponseHeaders(200, -1);
                });
    server.redirect("/moved.zip", 302, "/ok.zip");
    server.redirect("/moved-gone.zip", 301, "/gone.zip");
  }

  @AfterEach
  void stop() {
    hang.countDown();
    server.close();
  }

  private static Downloader downloader(boolean block, Set<String> hosts) {
    return new Downloader(DownloaderTest.policy(Duration.ofMinutes(5), 1 << 20, block, hosts));
  }

  @Test
  void a2xxAfterRedirectsIsReachableAnythingElseIsNot() throws Exception {
    try (Downloader d = downloader(false, Set.of())) {
      Duration t = Duration.ofSeconds(5);
      assertTrue(d.reachable(server.uri("/ok.zip"), t));
      assertTrue(d.reachable(server.uri("/moved.zip"), t));
      assertFalse(d.reachable(server.uri("/gone.zip"), t));
      assertFalse(d.reachable(server.uri("/moved-gone.zip"), t));
      assertFalse(d.reachable(URI.create("file:///etc/hostname"), t));
    }
    assertEquals(1, server.hits("/moved.zip"));
  }

  @Test
  void thePolicyRefusesHostsAndPrivateNetworksWithoutARequest() throws Exception {
    try (Downloader blocked = downloader(true, Set.of());
        Downloader listed = downloader(false, Set.of("packages.emqx.io"))) {
      assertFalse(blocked.reachable(server.uri("/ok.zip"), Duration.ofSeconds(5)));
      assertFalse(listed.reachable(server.uri("/ok.zip"), Duration.ofSeconds(5)));
    }
    assertEquals(0, server.hits("/ok.zip"));
  }

  @Test
  void aHostThatDoesNotAnswerIsUnreachableWithinTheTimeout() throws Exception {
    try (Downloader d = downloader(false, Set.of())) {
      long started = System.nanoTime();
      assertFalse(d.reachable(server.uri("/hang.zip"), Duration.ofMillis(300)));
      assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5));
    }
  }
}
