package dev.kpm.install.archive;

/**
 * Caps for one archive (docs/api.md §9.10); defaults: 10,000 entries, 1 GiB uncompressed in total,
 * ratio 200:1 for any entry over 1 MiB.
 */
public record ArchiveLimits(
    int maxEntries, long maxTotalBytes, long ratioThresholdBytes, int maxRatio) {

  public ArchiveLimits {
    if (maxEntries < 0 || maxTotalBytes < 0 || ratioThresholdBytes < 0 || maxRatio < 1) {
      throw new IllegalArgumentException(
          "archive limits must not be negative and the ratio must be at least 1");
    }
  }

  public static ArchiveLimits defaults() {
    return new ArchiveLimits(10_000, 1L << 30, 1L << 20, 200);
  }

  /** True when {@code uncompressed} is over the threshold and over maxRatio times compressed. */
  boolean ratioExceeded(long uncompressed, long compressed) {
    long base = Math.max(compressed, 1);
    return uncompressed > ratioThresholdBytes
        && base <= Long.MAX_VALUE / maxRatio
        && uncompressed > base * maxRatio;
  }
}
