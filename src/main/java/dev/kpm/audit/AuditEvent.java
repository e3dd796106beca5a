package dev.kpm.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One audit event's content, before the trail numbers and chains it (docs/api.md §12.1). Texts are
 * cut to their column's size when the event is built, so what is hashed is what is stored.
 *
 * @param at when it happened, to the microsecond (PostgreSQL's precision)
 * @param nodeId the kpm node that wrote it (kpm.node.id); filled in by the trail
 * @param outcome {@code ok}, {@code failed} or {@code refused}
 * @param status the HTTP status answered (for kpm's own actions: what the API would have answered)
 * @param count how many requests this event stands for (more than 1 only for aggregated refusals)
 */
public record AuditEvent(
    Instant at,
    String nodeId,
    String subject,
    String method,
    String clientAddress,
    String requestId,
    String action,
    String pluginType,
    String pluginName,
    String sourceUrl,
    String sha256,
    String versionBefore,
    String versionAfter,
    String outcome,
    Integer status,
    String error,
    String detail,
    int count,
    Long durationMs) {

  public AuditEvent {
    at = at.truncatedTo(ChronoUnit.MICROS);
    subject = cut(subject, 300);
    method = cut(method, 16);
    clientAddress = cut(clientAddress, 64);
    requestId = cut(requestId, 64);
    pluginType = cut(pluginType, 16);
    pluginName = cut(pluginName, 255);
    sourceUrl = cut(sourceUrl, 4096);
    sha256 = cut(sha256, 64);
    versionBefore = cut(versionBefore, 255);
    versionAfter = cut(versionAfter, 255);
    error = cut(error, 4000);
    detail = cut(detail, 2000);
  }

  /** The outcome a status stands for: refusals are the gate's 401, 403, 413 and 429. */
  public static String outcomeOf(int status) {
    if (status < 400) {
      return "ok";
    }
    return switch (status) {
      case 401, 403, 413, 429 -> "refused";
      default -> "failed";
    };
  }

  /** This event as written by node {@code id}. */
  AuditEvent onNode(String id) {
    return new AuditEvent(
        at,
        id,
        subject,
        method,
        clientAddress,
        requestId,
        action,
        pluginType,
        pluginName,
        sourceUrl,
        sha256,
        versionBefore,
        versionAfter,
        outcome,
        status,
        error,
        detail,
        count,
        durationMs);
  }

  private static String cut(String s, int max) {
    if (s == null || s.length() <= max) {
      return s;
    }
    int end = max;
    if (Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }
}
