package dev.kpm.install.download;

import static dev.kpm.install.download.DownloaderTest.open;
import static dev.kpm.install.download.DownloaderTest.policy;
import static dev.kpm.install.download.DownloaderTest.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.kpm.testing.FixtureServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * DNS pinning: each host is looked up once per download and the connection goes to the address that
 * was checked, even when a second lookup would answer differently (DNS rebinding). Two loopback
 * servers on one port tell the addresses apart: 127.0.0.1 (the first answer) serves one body,
 * 127.0.0.2 (any later answer) another; on Linux all of 127/8 is loopback.
 */
@Timeout(20)
class DownloaderPinningTest {
  private static final byte[] CHECKED = "from the checked address".getBytes(StandardCharsets.UTF_8);
  private static final byte[] REBOUND = "from a later answer".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;
  private Path target;
  private FixtureServer first;
  private FixtureServer second;

  @BeforeEach
  void start() throws Exception {
    target = dir.resolve("download.zip");
    first = new FixtureServer();
    second =
        new FixtureServer(
            HttpServer.create(
                new InetSocketAddress(InetAddress.getByName("127.0.0.2"), first.port()), 0));
  }

  @AfterEach
  void stop() {
    first.close();
    second.close();
  }

  /** Answers each host with {@code answers[0]} the first time, {@code answers[1]} afterwards. */
  static final class ChangingResolver implements Resolver {
    private final String firstAnswer;
    private final String laterAnswer;
    private final Map<String, AtomicInteger> lookups = new ConcurrentHashMap<>();

    ChangingResolver(String firstAnswer, String laterAnswer) {
      this.firstAnswer = firstAnswer;
      this.laterAnswer = laterAnswer;
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
      int n = lookups.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet();
      String literal = n == 1 ? firstAnswer : laterAnswer;
      return new InetAddress[] {InetAddress.getByAddress(host, literalBytes(literal))};
    }

    int lookups(String host) {
      AtomicInteger n = lookups.get(host);
      return n == null ? 0 : n.get();
    }

    Set<String> hosts() {
      return lookups.keySet();
    }

    private static byte[] literalBytes(String literal) throws UnknownHostException {
      return InetAddress.getByName(literal).getAddress();
    }
  }

  private Downloader downloader(DownloadPolicy policy, Resolver resolver) throws Exception {
    return new Downloader(policy, resolver, SSLContext.getDefault());
  }

  private URI at(String host, String path) {
    return URI.create("http://" + host + ":" + first.port() + path);
  }

  @Test
  void downloadConnectsToTheFirstAnswerAndLooksTheHostUpOnce() throws Exception {
    first.bytes("/x.zip", CHECKED);
    second.bytes("/x.zip", REBOUND);
    ChangingResolver resolver = new ChangingResolver("127.0.0.1", "127.0.0.2");

    Download d = downloader(open(), resolver).fetch(at("rebind.test", "/x.zip"), target);

    assertArrayEquals(CHECKED, Files.readAllBytes(target));
    assertEquals(sha256(CHECKED), d.sha256());
    assertEquals(1, resolver.lookups("rebind.test"));
    assertEquals(1, first.hits("/x.zip"));
    assertEquals(0, second.hits("/x.zip"));
  }

  @Test
  void theTwoLoopbackServersServeDifferentBodiesSoTheFirstTestCanTellThemApart() throws Exception {
    first.bytes("/x.zip", CHECKED);
    second.bytes("/x.zip", REBOUND);
    ChangingResolver alwaysSecond = new ChangingResolver("127.0.0.2", "127.0.0.2");

    downloader(open(), alwaysSecond).fetch(at("rebind.test", "/x.zip"), target);

    assertArrayEquals(REBOUND, Files.readAllBytes(target));
    assertEquals(0, first.hits("/x.zip"));
  }

  @Test
  void internalFirstAnswerIsRefusedWhileBlockingEvenIfALaterAnswerWouldBePublic() throws Exception {
    first.bytes("/x.zip", CHECKED);
    ChangingResolver resolver = new ChangingResolver("127.0.0.1", "8.8.8.8");
    DownloadPolicy blocking = policy(Duration.ofSeconds(10), 1 << 20, true, Set.of());
    URI uri = at("rebind.test", "/x.zip");

    DownloadException e =
        assertThrows(
            DownloadException.class, () -> downloader(blocking, resolver).fetch(uri, target));

    assertEquals(
        "Get \""
            + uri
            + "\": dial tcp 127.0.0.1:"
            + first.port()
            + ": ip 127.0.0.1 is in internal network",
        e.getMessage());
    assertEquals(1, resolver.lookups("rebind.test"));
    assertEquals(0, first.hits("/x.zip"));
    assertFalse(Files.exists(target));
  }

  @Test
  void publicFirstAnswerIsNotRoutedToALoopbackLaterAnswerWhileBlocking() throws Exception {
    // The rebinding attack itself: the check sees a public address (TEST-NET-3, unroutable), a
    // second lookup would say loopback, where a server waits. The download must fail on the
    // public address and never reach the loopback server.
    first.bytes("/x.zip", CHECKED);
    ChangingResolver resolver = new ChangingResolver("203.0.113.7", "127.0.0.1");
    DownloadPolicy blocking = policy(Duration.ofSeconds(1), 1 << 20, true, Set.of());
    URI uri = at("rebind.test", "/x.zip");

    DownloadException e =
        assertThrows(
            DownloadException.class, () -> downloader(blocking, resolver).fetch(uri, target));

    // Unroutable: either the connect times out at the deadline or the network says unreachable.
    List<String> expected =
        List.of(
            "download timed out after 1s",
            "Get \""
                + uri
                + "\": dial tcp rebind.test:"
                + first.port()
                + ": connect: connection failed");
    assertTrue(expected.contains(e.getMessage()), e.getMessage());
    assertEquals(1, resolver.lookups("rebind.test"));
    assertEquals(0, first.hits("/x.zip"));
    assertFalse(Files.exists(target));
  }

  @Test
  void redirectedHostIsLookedUpOnceAndARedirectBackReusesTheFirstHostsAddress() throws Exception {
    List<FixtureServer> both = List.of(first, second);
    for (FixtureServer server : both) {
      server
          .redirect("/start.zip", 302, at("b.test", "/middle.zip").toString())
          .redirect("/middle.zip", 301, at("A.TEST", "/final.zip").toString());
    }
    first.bytes("/final.zip", CHECKED);
    second.bytes("/final.zip", REBOUND);
    ChangingResolver resolver = new ChangingResolver("127.0.0.1", "127.0.0.2");

    downloader(open(), resolver).fetch(at("a.test", "/start.zip"), target);

    assertArrayEquals(CHECKED, Files.readAllBytes(target));
    assertEquals(1, resolver.lookups("a.test"), "looked up again: " + resolver.hosts());
    assertEquals(1, resolver.lookups("b.test"));
    assertEquals(0, resolver.lookups("A.TEST"), "host names are case-insensitive");
    List<Integer> secondHits = new ArrayList<>();
    for (String path : List.of("/start.zip", "/middle.zip", "/final.zip")) {
      assertEquals(1, first.hits(path), path);
      secondHits.add(second.hits(path));
    }
    assertEquals(List.of(0, 0, 0), secondHits);
  }

  @Test
  void guardChecksEachHopAgainstThePinnedFirstAnswerOfItsHost() throws Exception {
    // Hops of one redirect chain, checked as HttpTransfer checks them (no traffic: a public
    // address cannot be served here). A later answer for a host already checked is never asked
    // for, so it cannot turn an allowed host into an internal one mid-download.
    HostGuard guard = new HostGuard(Set.of(), true);
    ChangingResolver resolver = new ChangingResolver("8.8.8.8", "127.0.0.1");
    PinnedAddresses pins = new PinnedAddresses(resolver);

    guard.check(URI.create("http://public.test/x.zip"), pins);
    guard.check(URI.create("http://PUBLIC.test:8080/back-again.zip"), pins);

    assertEquals(1, resolver.lookups("public.test"));
    assertEquals("8.8.8.8", pins.resolve("public.test")[0].getHostAddress());
    ChangingResolver internal = new ChangingResolver("10.0.0.1", "8.8.8.8");
    PinnedAddresses internalPins = new PinnedAddresses(internal);
    URI hop = URI.create("http://inside.test/y.zip");
    DownloadException e =
        assertThrows(DownloadException.class, () -> guard.check(hop, internalPins));
    assertEquals(
        "Get \"http://inside.test/y.zip\": dial tcp 10.0.0.1:80: ip 10.0.0.1 is in internal network",
        e.getMessage());
    assertEquals(1, internal.lookups("inside.test"));
  }

  @Test
  void hostWithoutAddressGetsGosLookupText() throws Exception {
    Resolver nothing =
        host -> {
          throw new UnknownHostException(host);
        };
    URI uri = at("nowhere.test", "/x.zip");

    DownloadException e =
        assertThrows(DownloadException.class, () -> downloader(open(), nothing).fetch(uri, target));

    assertEquals(
        "Get \"" + uri + "\": dial tcp: lookup nowhere.test: no such host", e.getMessage());
  }

  @Test
  void connectionsGetNoAddressForAHostThatWasNotChecked() throws Exception {
    AtomicInteger lookups = new AtomicInteger();
    PinnedAddresses pins =
        new PinnedAddresses(
            host -> {
              lookups.incrementAndGet();
              return new InetAddress[] {InetAddress.getByName("127.0.0.1")};
            });

    assertThrows(UnknownHostException.class, () -> pins.resolve("unchecked.test"));
    assertEquals(0, lookups.get(), "the connection side never looks a host up itself");

    InetAddress[] checked = pins.pin("Checked.Test");
    assertArrayEquals(checked, pins.resolve("checked.test"));
    assertArrayEquals(checked, pins.pin("CHECKED.test"));
    assertEquals(1, lookups.get());
  }
}
