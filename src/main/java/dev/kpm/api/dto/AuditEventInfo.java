package dev.kpm.api.dto;

import dev.kpm.audit.AuditEntry;
import dev.kpm.audit.AuditEvent;
import java.util.List;

/**
 * One audit event as {@code GET /audit} shows it (docs/api.md §12.1); the CSV has these columns.
 */
public record AuditEventInfo(
    long seq,
    String time,
    String node,
    String subject,
    String method,
    String client,
    String requestId,
    String action,
    String type,
    String name,
    String sourceUrl,
    String sha256,
    String versionBefore,
    String versionAfter,
    String outcome,
    Integer status,
    String error,
    String detail,
    int count,
    Long durationMs,
    String prevHash,
    String hash) {

  /** The column names, in order: the CSV header. */
  public static final List<String> COLUMNS =
      List.of(
          "seq",
          "time",
          "node",
          "subject",
          "method",
          "client",
          "requestId",
          "action",
          "type",
          "name",
          "sourceUrl",
          "sha256",
          "versionBefore",
          "versionAfter",
          "outcome",
          "status",
          "error",
          "detail",
          "count",
          "durationMs",
          "prevHash",
          "hash");

  public static AuditEventInfo from(AuditEntry entry) {
    AuditEvent e = entry.event();
    return new AuditEventInfo(
        entry.seq(),
        e.at().toString(),
        e.nodeId(),
        e.subject(),
        e.method(),
        e.clientAddress(),
        e.requestId(),
        e.action(),
        e.pluginType(),
        e.pluginName(),
        e.sourceUrl(),
        e.sha256(),
        e.versionBefore(),
        e.versionAfter(),
        e.outcome(),
        e.status(),
        e.error(),
        e.detail(),
        e.count(),
        e.durationMs(),
        entry.prevHash(),
        entry.hash());
  }

  /** The values in {@link #COLUMNS}' order, null as null. */
  public List<Object> values() {
    return java.util.Arrays.asList(
        seq,
        time,
        node,
        subject,
        method,
        client,
        requestId,
        action,
        type,
        name,
        sourceUrl,
        sha256,
        versionBefore,
        versionAfter,
        outcome,
        status,
        error,
        detail,
        count,
        durationMs,
        prevHash,
        hash);
  }
}
