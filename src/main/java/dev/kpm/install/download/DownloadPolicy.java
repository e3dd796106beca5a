package dev.kpm.install.download;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Download settings (docs/api.md §9.12–§9.13).
 *
 * @param timeout the whole transfer (connect, headers and body, every redirect included)
 * @param maxBytes the largest accepted content
 * @param confineFiles whether {@code file://} sources must lie inside {@code uploadsDir}
 * @param uploadsDir eKuiper's {@code data/uploads}; only read when {@code confineFiles}
 * @param blockPrivateNetworks whether hosts resolving to loopback, private, link-local, unspecified
 *     or multicast addresses are refused (checked after DNS and on every redirect; the connection
 *     goes to the addresses that were checked)
 * @param allowedHosts host names accepted (case-insensitive); empty accepts any host
 */
public record DownloadPolicy(
    Duration timeout,
    long maxBytes,
    boolean confineFiles,
    Path uploadsDir,
    boolean blockPrivateNetworks,
    Set<String> allowedHosts) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
  public static final long DEFAULT_MAX_BYTES = 512L * 1024 * 1024;

  public DownloadPolicy {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
    }
    if (confineFiles) {
      Objects.requireNonNull(uploadsDir, "uploadsDir is required when confineFiles");
    }
    uploadsDir = uploadsDir == null ? null : uploadsDir.toAbsolutePath().normalize();
    allowedHosts =
        allowedHosts == null
            ? Set.of()
            : allowedHosts.stream()
                .map(h -> h.toLowerCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
  }

  /** eKuiper's shipped behaviour with kpm's fixes: 5 min, 512 MiB, files anywhere, no blocks. */
  public static DownloadPolicy defaults(Path uploadsDir) {
    return new DownloadPolicy(
        DEFAULT_TIMEOUT, DEFAULT_MAX_BYTES, false, uploadsDir, false, Set.of());
  }
}
