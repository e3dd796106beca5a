package dev.kpm.api;

import java.util.Optional;

/** What kpm's probes answer: {@code GET /ready} and {@code GET /metrics} (docs/api.md §8.13). */
public interface Health {
  /**
   * Why kpm cannot serve requests that need its database now, or empty when it can: the database
   * answers and the start-up reconcile is done. Cheap: implementations cache the answer.
   */
  Optional<String> notReady();

  /**
   * Why kpm refuses changes of the plugin state now, or empty when it takes them: a fleet node that
   * has not yet applied the fleet's plugins since it started is behind, and a change made there
   * would start from a state the fleet has left.
   */
  default Optional<String> behind() {
    return Optional.empty();
  }

  /** Every metric in Prometheus' text format 0.0.4. */
  String metrics();
}
