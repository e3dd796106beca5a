package dev.kpm.fleet;

/**
 * How far the live nodes are with one plugin of the desired state: how many are live, and how many
 * of them applied its current digest, failed or are incompatible with it; the rest are pending.
 */
public record NodeCounts(int live, int applied, int failed, int incompatible) {
  public int pending() {
    return Math.max(0, live - applied - failed - incompatible);
  }
}
