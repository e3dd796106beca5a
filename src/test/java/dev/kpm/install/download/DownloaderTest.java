package dev.kpm.install.download;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.testing.Await;
import dev.kpm.testing.FixtureServer;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads over http from a loopback server: bytes, digest, statuses, caps, deadline, interrupts.
 */
@Timeout(20)
class DownloaderTest {
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

  static DownloadPolicy policy(Duration timeout, long maxBytes, boolean block, Set<String> hosts) {
    return new DownloadPolicy(timeout, maxBytes, false, null, block, hosts);
  }

  static DownloadPolicy open() {
    return policy(Duration.ofSeconds(10), 1 << 20, false, Set.of());
  }

  static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  /** The failure's message, having checked that the target is gone. */
  static String failure(DownloadPolicy policy, URI uri, Path target) {
    DownloadException e =
        assertThrows(DownloadException.class, () -> new Downloader(policy).fetch(uri, target));
    assertFalse(Files.exists(target), "the target must be deleted after a failure");
    return e.getMessage();
  }

  private String failure(DownloadPolicy policy, URI uri) {
    return failure(policy, uri, target);
  }

  @Test
  void okAnswerIsWrittenWithItsSha256AndByteCount() throws Exception {
    byte[] body = randomBytes(300_000);
    server.bytes("/x.zip", body);

    Download d = new Downloader(open()).fetch(server.uri("/x.zip"), target);

    assertEquals(new Download(target, sha256(body), body.length), d);
    assertArrayEquals(body, Files.readAllBytes(target));
  }

  @Test
  void concurrentDownloadsThroughOneDownloaderEachGetTheirOwnBytes() throws Exception {
    Downloader downloader = new Downloader(open());
    List<Callable<Download>> jobs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      byte[] body = randomBytes(100_000 + i);
      server.bytes("/c" + i + ".zip", body);
      URI uri = server.uri("/c" + i + ".zip");
      Path own = dir.resolve("c" + i + ".zip");
      jobs.add(() -> downloader.fetch(uri, own));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Download>> results = pool.invokeAll(jobs, 15, TimeUnit.SECONDS);
      for (int i = 0; i < 4; i++) {
        byte[] body = randomBytes(100_000 + i);
        assertEquals(sha256(body), results.get(i).get().sha256());
        assertArrayEquals(body, Files.readAllBytes(dir.resolve("c" + i + ".zip")));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void notFoundFailsWithEkuipersStatusText() {
    assertEquals(
        "cannot download the file with status: 404 Not Found",
        failure(open(), server.uri("/missing.zip")));
  }

  @Test
  void statusWithoutKnownReasonIsReportedByCodeAlone() {
    server.on("/odd.zip", exchange -> FixtureServer.send(exchange, 299, new byte[0]));
    assertEquals(
        "cannot download the file with status: 299", failure(open(), server.uri("/odd.zip")));
  }

  @Test
  void declaredLengthAboveTheCapIsRefusedWithoutWaitingForTheBody() {
    server.on(
        "/big.zip",
        exchange -> {
          exchange.sendResponseHeaders(200, 5_000);
          exchange.getResponseBody().flush();
          server.holdUntilClosed();
        });
    DownloadPolicy small = policy(Duration.ofSeconds(6), 4_999, false, Set.of());

    long start = System.nanoTime();
    assertEquals("file is larger than the 4999-byte limit", failure(small, server.uri("/big.zip")));
    assertTrue(elapsed(start).compareTo(Duration.ofSeconds(5)) < 0, "refused before the deadline");
  }

  @Test
  void streamedBodyWithoutLengthIsCutAtTheCap() {
    server.on(
        "/chunked.zip",
        exchange -> {
          exchange.sendResponseHeaders(200, 0);
          try (OutputStream out = exchange.getResponseBody()) {
            for (int i = 0; i < 100; i++) {
              out.write(new byte[1000]);
            }
          }
        });
    DownloadPolicy small = policy(Duration.ofSeconds(10), 50_000, false, Set.of());

    assertEquals(
        "file is larger than the 50000-byte limit", failure(small, server.uri("/chunked.zip")));
  }

  @Test
  void bodyOfExactlyTheCapIsAccepted() throws Exception {
    server.bytes("/x.zip", randomBytes(4096));
    DownloadPolicy exact = policy(Duration.ofSeconds(10), 4096, false, Set.of());
    assertEquals(4096, new Downloader(exact).fetch(server.uri("/x.zip"), target).bytes());
  }

  @Test
  void aCapGivenWithTheCallReplacesThePolicysForThatDownloadOnly() throws Exception {
    server.bytes("/x.zip", randomBytes(4096));
    try (Downloader downloader = new Downloader(open())) {
      DownloadException e =
          assertThrows(
              DownloadException.class, () -> downloader.fetch(server.uri("/x.zip"), target, 4095));
      assertEquals("file is larger than the 4095-byte limit", e.getMessage());
      assertFalse(Files.exists(target), "the target is deleted after a failure");
      assertEquals(4096, downloader.fetch(server.uri("/x.zip"), target, 4096).bytes());
    }
  }

  @Test
  void stalledBodyEndsAtTheWholeTransferDeadline() {
    server.on(
        "/stall.zip",
        exchange -> {
          exchange.sendResponseHeaders(200, 1000);
          FixtureServer.write(exchange.getResponseBody(), new byte[10]);
          server.holdUntilClosed();
        });
    DownloadPolicy oneSecond = policy(Duration.ofSeconds(1), 1 << 20, false, Set.of());

    long start = System.nanoTime();
    assertEquals("download timed out after 1s", failure(oneSecond, server.uri("/stall.zip")));
    assertTrue(elapsed(start).compareTo(Duration.ofSeconds(5)) < 0, "took " + elapsed(start));
  }

  @Test
  void serverThatNeverAnswersTimesOut() {
    server.on("/silent.zip", exchange -> server.holdUntilClosed());
    DownloadPolicy oneSecond = policy(Duration.ofSeconds(1), 1 << 20, false, Set.of());

    long start = System.nanoTime();
    assertEquals("download timed out after 1s", failure(oneSecond, server.uri("/silent.zip")));
    assertTrue(elapsed(start).compareTo(Duration.ofSeconds(6)) < 0, "took " + elapsed(start));
  }

  @Test
  void interruptStopsTheDownloadPromptlyAndDeletesTheTarget() throws Exception {
    CountDownLatch bodyStarted = new CountDownLatch(1);
    server.on(
        "/stall.zip",
        exchange -> {
          exchange.sendResponseHeaders(200, 0);
          FixtureServer.write(exchange.getResponseBody(), new byte[100]);
          bodyStarted.countDown();
          server.holdUntilClosed();
        });
    FutureTask<Download> fetch =
        new FutureTask<>(() -> new Downloader(open()).fetch(server.uri("/stall.zip"), target));
    Thread downloading = new Thread(fetch, "interrupted-download");
    downloading.start();
    assertTrue(bodyStarted.await(10, TimeUnit.SECONDS));
    Await.blockedIn("BodyQueue.next", downloading); // it waits for more of the body

    long start = System.nanoTime();
    downloading.interrupt();
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> fetch.get(5, TimeUnit.SECONDS));

    assertInstanceOf(InterruptedException.class, e.getCause());
    assertTrue(elapsed(start).compareTo(Duration.ofSeconds(3)) < 0, "took " + elapsed(start));
    assertFalse(Files.exists(target));
  }

  @Test
  void interruptPendingAtTheStartStopsTheDownload() {
    server.bytes("/x.zip", new byte[] {1});
    Thread.currentThread().interrupt();
    try {
      assertThrows(
          InterruptedException.class,
          () -> new Downloader(open()).fetch(server.uri("/x.zip"), target));
    } finally {
      Thread.interrupted();
    }
    assertFalse(Files.exists(target));
  }

  @Test
  void truncatedBodyFailsAndDeletesTheTarget() {
    server.on(
        "/short.zip",
        exchange -> {
          exchange.sendResponseHeaders(200, 1000);
          FixtureServer.write(exchange.getResponseBody(), new byte[10]);
          // Closing the exchange now ends the connection 990 bytes short.
        });
    String message = failure(open(), server.uri("/short.zip"));
    assertTrue(message.startsWith("Get \"" + server.uri("/short.zip") + "\": "), message);
  }

  @Test
  void bodyShorterThanItsDeclaredLengthNamesBothCounts() {
    server.on(
        "/short.zip",
        exchange -> {
          exchange.sendResponseHeaders(200, 1000);
          FixtureServer.write(exchange.getResponseBody(), new byte[10]);
        });
    assertEquals(
        "Get \"" + server.uri("/short.zip") + "\": fixed content-length: 1000, bytes received: 10",
        failure(open(), server.uri("/short.zip")));
  }

  @Test
  void existingTargetIsRefusedAndKept() throws Exception {
    server.bytes("/x.zip", new byte[] {1});
    Files.writeString(target, "keep");

    DownloadException e =
        assertThrows(
            DownloadException.class,
            () -> new Downloader(open()).fetch(server.uri("/x.zip"), target));

    assertEquals("open " + target + ": file exists", e.getMessage());
    assertEquals("keep", Files.readString(target, StandardCharsets.UTF_8));
  }

  @Test
  void refusedConnectionNamesTheAddress() throws Exception {
    URI closed = server.uri("/x.zip");
    server.close();
    String message = failure(open(), closed);
    assertTrue(
        message.startsWith(
            "Get \"" + closed + "\": dial tcp 127.0.0.1:" + closed.getPort() + ": connect: "),
        message);
  }

  @Test
  void unsupportedSchemeIsRefused() {
    assertEquals(
        "Get \"ftp://127.0.0.1/x.zip\": unsupported protocol scheme \"ftp\"",
        failure(open(), URI.create("ftp://127.0.0.1/x.zip")));
  }

  private static Duration elapsed(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }
}
