package dev.kpm.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Who the client is: trusted proxies by address and CIDR block, X-Forwarded-For read right to left.
 */
class ClientAddressesTest {

  /** The client a request from {@code remote} with one X-Forwarded-For header is attributed to. */
  private static String client(List<String> trusted, String remote, String forwardedFor) {
    return ClientAddresses.trusting(trusted).client(remote, List.of(forwardedFor));
  }

  @Test
  void anIpv4BlockTrustsItsAddressesAndNoOthers() {
    List<String> trusted = List.of("10.0.0.0/8");
    assertEquals("198.51.100.7", client(trusted, "10.1.2.3", "198.51.100.7"));
    assertEquals("198.51.100.7", client(trusted, "10.255.255.255", "198.51.100.7"));
    assertEquals("11.0.0.1", client(trusted, "11.0.0.1", "198.51.100.7"));
    assertEquals("9.255.255.255", client(trusted, "9.255.255.255", "198.51.100.7"));
  }

  @Test
  void aPrefixOffAByteBoundaryMasksTheSplitByte() {
    List<String> trusted = List.of("172.16.0.0/12");
    assertEquals("198.51.100.7", client(trusted, "172.16.0.1", "198.51.100.7"));
    assertEquals("198.51.100.7", client(trusted, "172.31.255.254", "198.51.100.7"));
    assertEquals("172.32.0.1", client(trusted, "172.32.0.1", "198.51.100.7"));
    assertEquals("172.15.255.255", client(trusted, "172.15.255.255", "198.51.100.7"));
  }

  @Test
  void aSingleAddressTrustsExactlyThatAddress() {
    List<String> trusted = List.of("192.0.2.10");
    assertEquals("198.51.100.7", client(trusted, "192.0.2.10", "198.51.100.7"));
    assertEquals("192.0.2.11", client(trusted, "192.0.2.11", "198.51.100.7"));
  }

  @Test
  void ipv6BlocksAndAddressesMatchIpv6PeersOnly() {
    List<String> trusted = List.of("fd00::/8", "2001:db8:1::/48", "::1");
    assertEquals("198.51.100.7", client(trusted, "fd12:3456::1", "198.51.100.7"));
    assertEquals("198.51.100.7", client(trusted, "2001:db8:1:ffff::9", "198.51.100.7"));
    assertEquals("2001:db8:2::9", client(trusted, "2001:db8:2::9", "198.51.100.7"));
    assertEquals("fe80::1", client(trusted, "fe80::1", "198.51.100.7"));
    // Tomcat reports ::1 in its long form.
    assertEquals("198.51.100.7", client(trusted, "0:0:0:0:0:0:0:1", "198.51.100.7"));
    // An IPv4 peer is never inside an IPv6 block, even one whose bytes would match.
    assertEquals("10.0.0.1", client(List.of("::/0"), "10.0.0.1", "198.51.100.7"));
    assertEquals("fd00::1", client(List.of("0.0.0.0/0"), "fd00::1", "198.51.100.7"));
  }

  @Test
  void theClientIsTheRightmostHopThatIsNotATrustedProxy() {
    List<String> trusted = List.of("10.0.0.0/8");
    // The leftmost entries are whatever the client claimed; only what trusted proxies appended
    // counts.
    assertEquals(
        "203.0.113.9",
        client(trusted, "10.0.0.1", "127.0.0.1, 198.51.100.7, 203.0.113.9, 10.0.0.2"));
    // Several headers are one list, in order.
    assertEquals(
        "203.0.113.9",
        ClientAddresses.trusting(trusted)
            .client("10.0.0.1", List.of("127.0.0.1", "203.0.113.9, 10.0.0.2", "10.0.0.3")));
    // Every hop trusted: the leftmost one is the client.
    assertEquals("10.0.0.9", client(trusted, "10.0.0.1", "10.0.0.9, 10.0.0.2"));
    // Empty entries are skipped.
    assertEquals("203.0.113.9", client(trusted, "10.0.0.1", "203.0.113.9, , 10.0.0.2,"));
  }

  @Test
  void forwardedForFromAPeerThatIsNotTrustedIsIgnored() {
    assertEquals("192.0.2.1", client(List.of("10.0.0.0/8"), "192.0.2.1", "127.0.0.1"));
    assertEquals("192.0.2.1", client(List.of(), "192.0.2.1", "127.0.0.1"));
    assertEquals(
        "10.0.0.1", ClientAddresses.trusting(List.of("10.0.0.0/8")).client("10.0.0.1", List.of()));
  }

  @Test
  void garbageAndHostNamesInForwardedForAreClientsThatAreNeitherTrustedNorLoopback() {
    List<String> trusted = List.of("10.0.0.0/8", "127.0.0.1");
    for (String hop :
        List.of("unknown", "localhost", "10.0.0.2:8080", "[::1]:80", "fd00::1%eth0")) {
      String c = client(trusted, "10.0.0.1", "127.0.0.1, " + hop);
      assertEquals(hop, c, "the hop '" + hop + "' is not a trusted proxy, so it is the client");
      assertFalse(ClientAddresses.isLoopback(c), hop);
    }
    // A hop that looks like a trusted address but is not an address stops the walk too.
    assertEquals("010.0.0.2", client(trusted, "10.0.0.1", "127.0.0.1, 010.0.0.2"));
  }

  @Test
  void anOverlongForwardedClientIsCutTo64Characters() {
    String junk = "x".repeat(500);
    assertEquals("x".repeat(64), client(List.of("10.0.0.1"), "10.0.0.1", junk));
  }

  @Test
  void loopbackIsAnyLoopbackIpLiteralAndNothingElse() {
    for (String a : List.of("127.0.0.1", "127.8.9.10", "::1", "0:0:0:0:0:0:0:1", "[::1]")) {
      assertTrue(ClientAddresses.isLoopback(a), a);
    }
    for (String a :
        List.of("localhost", "0.0.0.0", "::", "10.0.0.1", "::127.0.0.1", "127.1", "", "   ")) {
      assertFalse(ClientAddresses.isLoopback(a), a);
    }
    assertFalse(ClientAddresses.isLoopback(null));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "dead.beef.bad.cafe", // only hex digits and three dots: a host name, not an address
        "1.2.3.256",
        "010.0.0.1", // octal to some parsers
        "1.2.3",
        "1.2.3.4.5",
        "example.com",
        "::g",
        "1::2::3",
        ".1:2"
      })
  void onlyIpLiteralsAreParsed(String text) {
    assertEquals(Optional.empty(), ClientAddresses.literal(text));
  }

  @Test
  void literalsParseToTheirAddress() throws Exception {
    assertEquals(
        Optional.of(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, (byte) 255})),
        ClientAddresses.literal("192.0.2.255"));
    assertEquals(
        Optional.of(InetAddress.getByAddress(new byte[] {10, 0, 0, 1})),
        ClientAddresses.literal("::ffff:10.0.0.1"));
    assertEquals(
        16, ClientAddresses.literal("2001:db8::1.2.3.4").orElseThrow().getAddress().length);
    assertEquals(16, ClientAddresses.literal("[fd00::1]").orElseThrow().getAddress().length);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "proxy.example",
        "localhost",
        "10.0.0.0/33",
        "::/129",
        "10.0.0.0/-1",
        "10.0.0.0/x",
        "10.0.0.1/",
        "/8",
        "10.0.0.0/8/8",
        "dead.beef.bad.cafe"
      })
  void aBadTrustedProxiesEntryIsRefusedNamingTheSetting(String entry) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ClientAddresses.trusting(List.of("10.0.0.1", entry)));
    assertTrue(e.getMessage().startsWith("setting kpm.auth.trustedProxies"), e.getMessage());
    assertTrue(e.getMessage().contains("KPM_AUTH_TRUSTED_PROXIES"), e.getMessage());
    assertTrue(e.getMessage().contains("'" + entry + "'"), e.getMessage());
  }

  /**
   * A JVM whose name service (the {@code jdk.net.hosts.file}) maps host names that look almost like
   * addresses to 127.0.0.1: were they resolved, a forwarded {@code dead.beef.bad.cafe} — a name
   * anyone can register — would count as loopback and pass protected mode.
   */
  @Test
  void hostNamesAreNeverResolvedEvenWhenTheyWouldResolveToLoopback(@TempDir Path dir)
      throws Exception {
    Path hosts = Files.writeString(dir.resolve("hosts"), "127.0.0.1 dead.beef.bad.cafe a.b.c.d\n");
    String classpath =
        location(ClientAddresses.class) + File.pathSeparator + location(HostsFileProbe.class);
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djdk.net.hosts.file=" + hosts,
                "-cp",
                classpath,
                HostsFileProbe.class.getName(),
                "dead.beef.bad.cafe",
                "a.b.c.d")
            .redirectErrorStream(true)
            .start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS), out);
    assertEquals(0, p.exitValue(), out);
    assertEquals(
        "dead.beef.bad.cafe resolves=true isLoopback=false client=dead.beef.bad.cafe"
            + " setting=refused\n"
            + "a.b.c.d resolves=true isLoopback=false client=a.b.c.d setting=refused\n",
        out);
  }

  private static String location(Class<?> c) throws URISyntaxException {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }

  /** Run in a JVM of its own by the test above. */
  static final class HostsFileProbe {
    public static void main(String[] names) throws Exception {
      ClientAddresses trustLoopback = ClientAddresses.trusting(List.of("127.0.0.1"));
      for (String name : names) {
        String setting;
        try {
          ClientAddresses.trusting(List.of(name));
          setting = "accepted";
        } catch (IllegalArgumentException e) {
          setting = "refused";
        }
        System.out.println(
            name
                + " resolves="
                + InetAddress.getByName(name).isLoopbackAddress()
                + " isLoopback="
                + ClientAddresses.isLoopback(name)
                + " client="
                + trustLoopback.client("127.0.0.1", List.of(name))
                + " setting="
                + setting);
      }
    }
  }
}
