package dev.kpm.audit;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A filter of the audit trail, as {@code GET /audit} and {@code GET /audit.csv} take it
 * (docs/api.md §12.4): every given field must match; {@code cursor} continues a page (events older
 * than it).
 */
public record AuditQuery(
    Instant since,
    Instant until,
    String principal,
    String action,
    String type,
    String name,
    String outcome,
    String requestId,
    int limit,
    Long cursor) {
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;
  private static final Set<String> OUTCOMES = Set.of("ok", "failed", "refused");
  private static final Set<String> TYPES =
      Set.of("sources", "sinks", "functions", "portables", "tokens", "uploads");

  /**
   * Parses the query parameters; null or blank means not given.
   *
   * @throws AuditQueryException with the text of the first bad parameter
   */
  public static AuditQuery parse(
      String since,
      String until,
      String principal,
      String action,
      String type,
      String name,
      String outcome,
      String requestId,
      String limit,
      String cursor) {
    Instant from = time("since", since);
    Instant to = time("until", until);
    if (from != null && to != null && !from.isBefore(to)) {
      throw new AuditQueryException("invalid audit query: since must be before until");
    }
    if (given(action) && AuditAction.of(action) == null) {
      throw new AuditQueryException(
          "invalid audit query: unknown action "
              + shorten(action)
              + ", expected one of "
              + actions());
    }
    if (given(type) && !TYPES.contains(type)) {
      throw new AuditQueryException(
          "invalid audit query: unknown type "
              + shorten(type)
              + ", expected sources, sinks, functions, portables, tokens or uploads");
    }
    if (given(outcome) && !OUTCOMES.contains(outcome)) {
      throw new AuditQueryException(
          "invalid audit query: unknown outcome "
              + shorten(outcome)
              + ", expected ok, failed or refused");
    }
    for (String[] text :
        new String[][] {{"principal", principal}, {"name", name}, {"requestId", requestId}}) {
      if (given(text[1]) && text[1].length() > 300) {
        throw new AuditQueryException(
            "invalid audit query: " + text[0] + " is longer than 300 characters");
      }
    }
    int max = DEFAULT_LIMIT;
    if (given(limit)) {
      try {
        max = Integer.parseInt(limit);
      } catch (NumberFormatException e) {
        max = -1;
      }
      if (max < 1 || max > MAX_LIMIT) {
        throw new AuditQueryException(
            "invalid audit query: limit must be a number from 1 to " + MAX_LIMIT);
      }
    }
    Long after = null;
    if (given(cursor)) {
      try {
        after = Long.parseLong(cursor);
      } catch (NumberFormatException e) {
        after = -1L;
      }
      if (after < 1) {
        throw new AuditQueryException(
            "invalid audit query: cursor must be the next value of an earlier page");
      }
    }
    return new AuditQuery(
        from,
        to,
        blankToNull(principal),
        blankToNull(action),
        blankToNull(type),
        blankToNull(name),
        blankToNull(outcome),
        blankToNull(requestId),
        max,
        after);
  }

  /** The same filter on the next page: events older than {@code seq}. */
  AuditQuery after(long seq) {
    return new AuditQuery(
        since, until, principal, action, type, name, outcome, requestId, limit, seq);
  }

  /** The WHERE clause and its values. */
  String where(List<Object> values) {
    List<String> terms = new ArrayList<>();
    add(
        terms,
        values,
        "at >= ?",
        since == null ? null : OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
    add(
        terms,
        values,
        "at < ?",
        until == null ? null : OffsetDateTime.ofInstant(until, ZoneOffset.UTC));
    add(terms, values, "subject = ?", principal);
    add(terms, values, "action = ?", action);
    add(terms, values, "plugin_type = ?", type);
    add(terms, values, "plugin_name = ?", name);
    add(terms, values, "outcome = ?", outcome);
    add(terms, values, "request_id = ?", requestId);
    add(terms, values, "seq < ?", cursor);
    return terms.isEmpty() ? "" : " WHERE " + String.join(" AND ", terms);
  }

  private static void add(List<String> terms, List<Object> values, String term, Object value) {
    if (value != null) {
      terms.add(term);
      values.add(value);
    }
  }

  private static Instant time(String param, String value) {
    if (!given(value)) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException e2) {
        throw new AuditQueryException(
            "invalid audit query: "
                + param
                + " must be an ISO-8601 time such as 2026-12-05T10:00:00Z or a date such as"
                + " 2026-12-05 (UTC), not "
                + shorten(value));
      }
    }
  }

  private static String actions() {
    List<String> names = new ArrayList<>();
    for (AuditAction a : AuditAction.values()) {
      names.add(a.wire());
    }
    return String.join(", ", names);
  }

  private static boolean given(String s) {
    return s != null && !s.isBlank();
  }

  private static String blankToNull(String s) {
    return given(s) ? s : null;
  }

  private static String shorten(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "…" : s;
  }
}
