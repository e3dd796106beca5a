package dev.kpm.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who the client is: the connection's address, or — when that is a trusted proxy ({@code
 * kpm.auth.trustedProxies}) — the address the proxies forwarded in {@code X-Forwarded-For}, read
 * from the right and stopping at the first address that is not itself a trusted proxy. Addresses
 * are IP literals; nothing here asks DNS.
 */
public final class ClientAddresses {
  private static final String OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
  private static final String DOTTED = OCTET + "(?:\\." + OCTET + "){3}";

  /**
   * Dotted-quad IPv4, decimal without leading zeros (which some parsers read as octal), and IPv6
   * (optionally ending in a dotted quad). Only what matches is handed to {@link
   * InetAddress#getByName}, which then parses it: anything else — {@code dead.beef.bad.cafe} has
   * only hex digits and three dots, {@code 1.2.3.256} is no address — it would look up in DNS.
   */
  private static final Pattern LITERAL =
      Pattern.compile(DOTTED + "|(?=[^.]*:)[0-9A-Fa-f:]{2,39}|[0-9A-Fa-f:]{1,29}:" + DOTTED);

  private static final int MAX_FORWARDED_HOPS = 32;

  private record Block(byte[] network, int bits) {
    boolean contains(InetAddress address) {
      byte[] a = address.getAddress();
      if (a.length != network.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (a[i] != network[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = 0xff << (8 - rest) & 0xff;
      return (a[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Block> trusted;

  private ClientAddresses(List<Block> trusted) {
    this.trusted = trusted;
  }

  /**
   * @param proxies addresses or CIDR blocks ({@code 10.0.0.5}, {@code 10.0.0.0/8}, {@code ::1})
   * @throws IllegalArgumentException for an entry that is neither
   */
  public static ClientAddresses trusting(List<String> proxies) {
    List<Block> blocks = new ArrayList<>();
    for (String entry : proxies) {
      String[] parts = entry.strip().split("/", 2);
      InetAddress address =
          literal(parts[0])
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "setting kpm.auth.trustedProxies (KPM_AUTH_TRUSTED_PROXIES) takes IP"
                              + " addresses and CIDR blocks, got '"
                              + entry
                              + "'"));
      int max = address.getAddress().length * 8;
      int bits = max;
      if (parts.length == 2) {
        try {
          bits = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
          bits = -1;
        }
        if (bits < 0 || bits > max) {
          throw new IllegalArgumentException(
              "setting kpm.auth.trustedProxies (KPM_AUTH_TRUSTED_PROXIES): bad prefix length in '"
                  + entry
                  + "'");
        }
      }
      blocks.add(new Block(address.getAddress(), bits));
    }
    return new ClientAddresses(List.copyOf(blocks));
  }

  /** Whether any proxy is trusted: otherwise {@code X-Forwarded-For} is never read. */
  public boolean trustsAny() {
    return !trusted.isEmpty();
  }

  /**
   * The client's address.
   *
   * @param remote the connection's peer address
   * @param forwardedFor every {@code X-Forwarded-For} header value, in order
   */
  public String client(String remote, List<String> forwardedFor) {
    if (trusted.isEmpty() || forwardedFor.isEmpty() || !isTrusted(remote)) {
      return remote;
    }
    List<String> hops = new ArrayList<>();
    for (String header : forwardedFor) {
      for (String hop : header.split(",")) {
        if (!hop.isBlank()) {
          hops.add(hop.strip());
        }
      }
    }
    String client = remote;
    for (int i = hops.size() - 1, seen = 0; i >= 0 && seen < MAX_FORWARDED_HOPS; i--, seen++) {
      client = hops.get(i);
      if (!isTrusted(client)) {
        break;
      }
    }
    return client.length() > 64 ? client.substring(0, 64) : client;
  }

  private boolean isTrusted(String address) {
    Optional<InetAddress> a = literal(address);
    return a.isPresent() && trusted.stream().anyMatch(b -> b.contains(a.get()));
  }

  /** Whether the address is a loopback IP literal ({@code 127.0.0.0/8}, {@code ::1}). */
  public static boolean isLoopback(String address) {
    return literal(address).map(InetAddress::isLoopbackAddress).orElse(false);
  }

  /** An IP literal's address; anything else (a host name, garbage) is empty, with no DNS query. */
  static Optional<InetAddress> literal(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String t = text.strip();
    if (t.startsWith("[") && t.endsWith("]")) {
      t = t.substring(1, t.length() - 1);
    }
    if (!LITERAL.matcher(t).matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(t));
    } catch (UnknownHostException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
