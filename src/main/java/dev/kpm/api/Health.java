package dev.kpm.api;

import java.util.Optional;

/** What kpm's probes answer: {@code GET /ready} and {@code GET /metrics} (docs/api.md §8.13). */
public interface Health {
  /**
   * Why kpm cannot serve requests that need its database now, or empty when it can: the database
   * answers and the start-up reconcile is done. Cheap: implementations cache the answer.
   */
  Optional<String> notReady();

  /** Every metric in Prometheus' text format 0.0.4. */
  String metrics();
}
