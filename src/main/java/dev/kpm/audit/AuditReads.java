package dev.kpm.audit;

import java.util.function.Consumer;

/** The audit endpoints' service: read, export, verify. {@link AuditTrail} is kpm's. */
public interface AuditReads {
  /** A page of the trail, newest first. */
  AuditTrail.Page page(AuditQuery query);

  /** Every event the filter matches, newest first, handed to {@code out} as they are read. */
  void export(AuditQuery query, Consumer<AuditEntry> out);

  /** Walks the chain and reports the first break. */
  Verification verify();
}
