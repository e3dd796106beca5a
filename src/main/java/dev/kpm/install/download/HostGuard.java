package dev.kpm.install.download;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * Decides whether one HTTP request may be sent: scheme, host allowlist, then the addresses the host
 * resolves to, refused when private networks are blocked and one of them is internal. Called before
 * the first request and before every redirect.
 *
 * <p>The host is looked up through the download's {@link PinnedAddresses}, once per host per
 * download, and the connection is made to exactly those addresses (they are its DNS resolver), so a
 * DNS answer that changes between the check and the connection (DNS rebinding) is not used. TLS
 * still verifies the certificate against the host name of the URL. Stateless and thread-safe; the
 * state of one download is in its {@code PinnedAddresses}.
 */
final class HostGuard {
  private final Set<String> allowedHosts;
  private final boolean blockPrivateNetworks;

  HostGuard(Set<String> allowedHosts, boolean blockPrivateNetworks) {
    this.allowedHosts = allowedHosts;
    this.blockPrivateNetworks = blockPrivateNetworks;
  }

  void check(URI uri, PinnedAddresses pins) throws DownloadException {
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new DownloadException(DownloadTexts.requestFailed(uri, "http: no Host in request URL"));
    }
    if (!allowedHosts.isEmpty() && !allowedHosts.contains(host.toLowerCase(Locale.ROOT))) {
      throw new DownloadException("host " + host + " is not in the allowed hosts list");
    }
    InetAddress[] addresses = resolve(uri, host, pins);
    if (blockPrivateNetworks) {
      refuseInternal(uri, addresses);
    }
  }

  private static InetAddress[] resolve(URI uri, String host, PinnedAddresses pins)
      throws DownloadException {
    try {
      return pins.pin(host);
    } catch (UnknownHostException e) {
      throw new DownloadException(DownloadTexts.requestFailed(uri, Failures.noSuchHost(uri)), e);
    }
  }

  private static void refuseInternal(URI uri, InetAddress[] addresses) throws DownloadException {
    for (InetAddress address : addresses) {
      if (isInternal(address)) {
        String ip = text(address);
        String hostPort = (address instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + port(uri);
        throw new DownloadException(
            DownloadTexts.requestFailed(
                uri, "dial tcp " + hostPort + ": ip " + ip + " is in internal network"));
      }
    }
  }

  /**
   * Loopback, RFC 1918, link-local, unspecified, multicast, fc00::/7, and v4 inside v6 of those.
   */
  static boolean isInternal(InetAddress a) {
    if (a.isLoopbackAddress()
        || a.isSiteLocalAddress()
        || a.isLinkLocalAddress()
        || a.isAnyLocalAddress()
        || a.isMulticastAddress()) {
      return true;
    }
    byte[] b = a.getAddress();
    if (b.length != 16) {
      return false;
    }
    return (b[0] & 0xfe) == 0xfc || isInternalEmbeddedV4(b);
  }

  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible) reach the IPv4 address on dual-stack hosts.
  private static boolean isInternalEmbeddedV4(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    boolean compatible = b[10] == 0 && b[11] == 0;
    if (!mapped && !compatible) {
      return false;
    }
    try {
      return isInternal(InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 bytes are always an address", e);
    }
  }

  static int port(URI uri) {
    if (uri.getPort() != -1) {
      return uri.getPort();
    }
    return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  /** The address as Go prints it: dotted IPv4, or RFC 5952 compressed IPv6 without scope. */
  static String text(InetAddress a) {
    byte[] b = a.getAddress();
    if (b.length == 4) {
      return a.getHostAddress();
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    return compress(groups);
  }

  private static String compress(int[] g) {
    int[] run = longestZeroRun(g);
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == run[0]) {
        s.append("::");
        i += run[1] - 1;
      } else {
        boolean afterGroup = s.length() > 0 && s.charAt(s.length() - 1) != ':';
        s.append(afterGroup ? ":" : "").append(Integer.toHexString(g[i]));
      }
    }
    return s.toString();
  }

  /** Start and length of the first longest run of two or more zero groups; start -1 if none. */
  private static int[] longestZeroRun(int[] g) {
    int[] best = {-1, 1};
    for (int i = 0; i < 8; i++) {
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > best[1]) {
        best = new int[] {i, j - i};
      }
    }
    return best;
  }
}
