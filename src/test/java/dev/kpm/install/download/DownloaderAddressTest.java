package dev.kpm.install.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The private-network rule and the texts, on address literals only (no lookup, no traffic). */
class DownloaderAddressTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.0.0.1",
        "127.1.2.3",
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::127.0.0.1",
        "::192.168.0.1"
      })
  void internalAddressesAreRecognised(String literal) throws Exception {
    assertTrue(HostGuard.isInternal(InetAddress.getByName(literal)), literal);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"8.8.8.8", "172.32.0.1", "192.169.0.1", "11.0.0.1", "2606:4700::1111", "fbff::1"})
  void publicAddressesAreNotInternal(String literal) throws Exception {
    assertFalse(HostGuard.isInternal(InetAddress.getByName(literal)), literal);
  }

  @ParameterizedTest
  @CsvSource({
    "::1, ::1",
    "::, ::",
    "fe80:0:0:0:0:0:0:1, fe80::1",
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
    "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    "fd00:0:0:0:0:0:0:0, fd00::",
    "10.0.0.1, 10.0.0.1"
  })
  void addressesArePrintedAsGoPrintsThem(String literal, String text) throws Exception {
    assertEquals(text, HostGuard.text(InetAddress.getByName(literal)));
  }

  @Test
  void blockedIpv6LiteralGetsEkuipersTextWithBracketedDialAddress() {
    Downloader blocking =
        new Downloader(new DownloadPolicy(Duration.ofSeconds(5), 100, false, null, true, Set.of()));
    URI uri = URI.create("http://[::1]:8080/x.zip");

    DownloadException e =
        assertThrows(
            DownloadException.class, () -> blocking.fetch(uri, Path.of("/nonexistent/x.zip")));

    assertEquals(
        "Get \"http://[::1]:8080/x.zip\": dial tcp [::1]:8080: ip ::1 is in internal network",
        e.getMessage());
  }

  @Test
  void defaultPortsAreNamedWhenTheUrlHasNone() {
    assertEquals(80, HostGuard.port(URI.create("http://h/x.zip")));
    assertEquals(443, HostGuard.port(URI.create("HTTPS://h/x.zip")));
    assertEquals(8443, HostGuard.port(URI.create("https://h:8443/x.zip")));
  }

  @ParameterizedTest
  @CsvSource({
    "500, 500ms",
    "1000, 1s",
    "1500, 1.5s",
    "90000, 1m30s",
    "300000, 5m0s",
    "3600000, 1h0m0s"
  })
  void timeoutsArePrintedAsGoDurations(long millis, String text) {
    assertEquals(text, DownloadTexts.goDuration(Duration.ofMillis(millis)));
  }

  @Test
  void statusTextHasTheReasonPhraseWhenKnown() {
    assertEquals(
        "cannot download the file with status: 403 Forbidden", DownloadTexts.badStatus(403));
    assertEquals("cannot download the file with status: 599", DownloadTexts.badStatus(599));
  }
}
