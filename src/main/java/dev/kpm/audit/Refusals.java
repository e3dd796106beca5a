package dev.kpm.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Refusals of clients that did not prove who they are (401, 429, and 403 of protected mode),
 * counted per client, status and minute instead of written one by one, so a flood of them cannot
 * flood the trail: at most {@link #MAX_CLIENTS} rows per minute, the clients beyond that counted
 * together as client {@code *}. Nothing of such a request's body is read. Thread-safe.
 */
final class Refusals {
  static final int MAX_CLIENTS = 500;

  private record Key(long minute, String client, int status) {}

  private static final class Count {
    final Instant first;
    final String requestId;
    final String sample;
    final String message;
    int count;

    Count(Instant first, String requestId, String sample, String message) {
      this.first = first;
      this.requestId = requestId;
      this.sample = sample;
      this.message = message;
    }
  }

  private final Map<Key, Count> counts = new LinkedHashMap<>();
  private final Map<Long, Integer> clientsPerMinute = new LinkedHashMap<>();

  synchronized void add(
      Instant at, String client, String requestId, int status, String request, String message) {
    long minute = at.getEpochSecond() / 60;
    Key key = new Key(minute, client, status);
    if (!counts.containsKey(key)) {
      int clients = clientsPerMinute.getOrDefault(minute, 0);
      if (clients >= MAX_CLIENTS) {
        key = new Key(minute, "*", status);
      } else {
        clientsPerMinute.put(minute, clients + 1);
      }
    }
    counts.computeIfAbsent(key, k -> new Count(at, requestId, request, message)).count++;
  }

  /** The aggregates of the minutes before {@code now}'s, or of all minutes; removed from here. */
  synchronized List<AuditEvent> drain(Instant now, boolean all) {
    long current = now.getEpochSecond() / 60;
    List<AuditEvent> events = new ArrayList<>();
    for (Iterator<Map.Entry<Key, Count>> it = counts.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Key, Count> e = it.next();
      Key k = e.getKey();
      if (!all && k.minute() >= current) {
        continue;
      }
      Count c = e.getValue();
      events.add(
          new AuditEvent(
              c.first,
              null,
              "anonymous",
              "none",
              k.client(),
              c.requestId,
              AuditAction.REQUEST_REFUSED.wire(),
              null,
              null,
              null,
              null,
              null,
              null,
              "refused",
              k.status(),
              c.message,
              (k.client().equals("*") ? "clients beyond the first " + MAX_CLIENTS + "; " : "")
                  + c.count
                  + " request(s) in the minute from "
                  + Instant.ofEpochSecond(k.minute() * 60)
                  + ", the first: "
                  + c.sample,
              c.count,
              null));
      it.remove();
    }
    clientsPerMinute.keySet().removeIf(m -> all || m < current);
    return events;
  }

  synchronized boolean isEmpty() {
    return counts.isEmpty();
  }
}
