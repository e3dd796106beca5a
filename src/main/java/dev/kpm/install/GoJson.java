package dev.kpm.install;

import java.util.List;
import java.util.Map;

/**
 * JSON written as Go's {@code encoding/json} writes it, for the bodies eKuiper's data endpoints
 * answer (docs/api.md §8.19): compact, map keys in the order given (callers sort them, as Go does),
 * and strings escaped as Go escapes them — {@code <}, {@code >}, {@code &}, U+2028 and U+2029 as
 * {@code \}{@code u…} sequences.
 */
final class GoJson {
  private GoJson() {}

  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '<', '>', '&', '\u2028', '\u2029' -> b.append(String.format("\\u%04x", (int) c));
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /** A {@code map[string]string}, in the map's iteration order. */
  static String strings(Map<String, String> map) {
    StringBuilder b = new StringBuilder("{");
    map.forEach(
        (k, v) -> {
          if (b.length() > 1) {
            b.append(',');
          }
          b.append(quote(k)).append(':').append(quote(v));
        });
    return b.append('}').toString();
  }

  /** A {@code []string}. */
  static String array(List<String> values) {
    StringBuilder b = new StringBuilder("[");
    for (String v : values) {
      if (b.length() > 1) {
        b.append(',');
      }
      b.append(quote(v));
    }
    return b.append(']').toString();
  }
}
