package dev.kpm.install.download;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Looks a host name up: the system's resolver in production, a scripted one in tests. Asked once
 * per host per download ({@link PinnedAddresses}).
 */
@FunctionalInterface
interface Resolver {
  Resolver SYSTEM = InetAddress::getAllByName;

  /**
   * Every address of {@code host} (a name or an address literal, IPv6 without brackets).
   *
   * @throws UnknownHostException when the name has no address
   */
  InetAddress[] resolve(String host) throws UnknownHostException;
}
