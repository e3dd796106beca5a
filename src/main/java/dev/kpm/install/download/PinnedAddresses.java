package dev.kpm.install.download;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hc.client5.http.DnsResolver;

/**
 * The addresses of the hosts of one download. {@link HostGuard} looks each host up here once, and
 * checks what this returns; the download's connections are given their addresses by the same object
 * (it is their {@link DnsResolver}), which answers only hosts already looked up, with the same
 * addresses. So every connection, the first request's and every redirect's, goes to an address that
 * was checked: a DNS answer that changes between the check and the connection (DNS rebinding) is
 * never used. A redirect back to a host seen before reuses its first answer.
 *
 * <p>One per download; thread-safe (the guard pins on the downloading thread, the connection reads
 * on a worker thread).
 */
final class PinnedAddresses implements DnsResolver {
  private final Resolver resolver;
  private final Map<String, InetAddress[]> pinned = new ConcurrentHashMap<>();

  PinnedAddresses(Resolver resolver) {
    this.resolver = resolver;
  }

  /**
   * The addresses of {@code host}: looked up the first time, the same ones afterwards.
   *
   * @throws UnknownHostException when the lookup finds no address
   */
  InetAddress[] pin(String host) throws UnknownHostException {
    String name = bare(host);
    InetAddress[] addresses = pinned.get(key(name));
    if (addresses == null) {
      addresses = resolver.resolve(name);
      if (addresses == null || addresses.length == 0) {
        throw new UnknownHostException(name);
      }
      addresses = addresses.clone();
      pinned.put(key(name), addresses);
    }
    return addresses.clone();
  }

  /**
   * The pinned addresses of {@code host}, for a connection; never a lookup of its own: a host that
   * was not checked has no address.
   */
  @Override
  public InetAddress[] resolve(String host) throws UnknownHostException {
    InetAddress[] addresses = pinned.get(key(bare(host)));
    if (addresses == null) {
      throw new UnknownHostException(host + " was not checked before connecting");
    }
    return addresses.clone();
  }

  /**
   * Not used for plain downloads (only by Kerberos-style authentication, which kpm does not do).
   */
  @Override
  public String resolveCanonicalHostname(String host) {
    return host;
  }

  private static String bare(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private static String key(String bareHost) {
    return bareHost.toLowerCase(Locale.ROOT);
  }
}
