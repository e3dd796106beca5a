package dev.kpm.audit;

import java.util.Map;
import java.util.function.Consumer;

/** The audit endpoints' service: read, export, verify. {@link AuditTrail} is kpm's. */
public interface AuditReads {
  /** A page of the trail, newest first. */
  AuditTrail.Page page(AuditQuery query);

  /** Every event the filter matches, newest first, handed to {@code out} as they are read. */
  void export(AuditQuery query, Consumer<AuditEntry> out);

  /** Walks the chain and reports the first break. */
  Verification verify();

  /**
   * Who installed the plugins of {@code pluginType} (a type word, e.g. {@code sources}): by plugin
   * name, the subject of its newest successful {@code plugin.create} or {@code plugin.update},
   * unless a successful {@code plugin.delete} or {@code plugin.autoload} of that name came after it
   * (docs/api.md §8.18). One query for the whole type.
   */
  Map<String, String> installers(String pluginType);
}
