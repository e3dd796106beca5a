package dev.kpm.events;

import java.time.Instant;
import java.util.Map;

/**
 * One lifecycle event.
 *
 * @param id increasing from 1 while kpm runs; what {@code Last-Event-ID} names
 * @param type e.g. {@code job}, {@code plugin.created}, {@code portable.exited}
 * @param data the event's fields, shown as JSON; a key listed in {@code adminOnly} is shown to
 *     admins only (such as who made a change)
 */
public record KpmEvent(
    long id, String type, Instant at, Map<String, Object> data, java.util.Set<String> adminOnly) {
  public KpmEvent {
    data = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(data));
    adminOnly = java.util.Set.copyOf(adminOnly);
  }

  /** The fields a caller may see: without the admin-only ones unless {@code admin}. */
  public Map<String, Object> shownTo(boolean admin) {
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    out.put("id", id);
    out.put("type", type);
    out.put("at", at.toString());
    data.forEach(
        (k, v) -> {
          if (admin || !adminOnly.contains(k)) {
            out.put(k, v);
          }
        });
    return out;
  }
}
