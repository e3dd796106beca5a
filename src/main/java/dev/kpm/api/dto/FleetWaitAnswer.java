package dev.kpm.api.dto;

import java.util.List;

/**
 * The answer of a plugin change made with {@code ?wait=all} (docs/api.md §8.20): eKuiper's usual
 * text, whether every live node settled before the timeout, and each live node's state.
 */
public record FleetWaitAnswer(String message, boolean complete, List<Node> nodes) {

  /**
   * One live node: {@code pending} while it has not settled on the change.
   *
   * @param error why it failed or is incompatible, else null
   */
  public record Node(String node, String state, String error) {}
}
