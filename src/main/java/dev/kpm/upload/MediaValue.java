package dev.kpm.upload;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A header value of the form {@code type; name=value; …} ({@code Content-Type}, {@code
 * Content-Disposition}), parsed as Go's {@code mime.ParseMediaType} does: type and parameter names
 * lower-cased, values as tokens or quoted strings (a backslash escapes only a special character, so
 * a Windows path sent unescaped keeps its backslashes), trailing semicolons ignored, a repeated
 * parameter refused, and RFC 2231's {@code name*=UTF-8''percent-encoded} form preferred to the
 * plain one.
 *
 * @param type lower-cased, e.g. {@code multipart/form-data} or {@code form-data}
 */
record MediaValue(String type, Map<String, String> params) {
  private static final String SPECIALS = "()<>@,;:\\\"/[]?=";

  /** The parsed value, or null when it is malformed. */
  static MediaValue parse(String value) {
    int semicolon = value.indexOf(';');
    String type = (semicolon < 0 ? value : value.substring(0, semicolon)).strip();
    type = type.toLowerCase(Locale.ROOT);
    if (!validType(type)) {
      return null;
    }
    Map<String, String> plain = new HashMap<>();
    Map<String, String> extended = new HashMap<>();
    int i = semicolon < 0 ? value.length() : semicolon;
    while (i < value.length()) {
      i = skipSpace(value, i);
      if (i == value.length()) {
        break;
      }
      if (value.charAt(i) != ';') {
        return null;
      }
      i = skipSpace(value, i + 1);
      if (i == value.length()) {
        break; // a trailing semicolon
      }
      int keyStart = i;
      while (i < value.length() && isTokenChar(value.charAt(i)) && value.charAt(i) != '*') {
        i++;
      }
      boolean star = i < value.length() && value.charAt(i) == '*';
      String key = value.substring(keyStart, i).toLowerCase(Locale.ROOT);
      if (star) {
        i++;
      }
      i = skipSpace(value, i);
      if (key.isEmpty() || i == value.length() || value.charAt(i) != '=') {
        if (key.isEmpty() && value.substring(i).strip().equals(";")) {
          break;
        }
        return null;
      }
      i = skipSpace(value, i + 1);
      String parsed;
      if (i < value.length() && value.charAt(i) == '"') {
        StringBuilder out = new StringBuilder();
        i = quoted(value, i, out);
        if (i < 0) {
          return null;
        }
        parsed = out.toString();
      } else {
        int start = i;
        while (i < value.length() && isTokenChar(value.charAt(i))) {
          i++;
        }
        if (i == start) {
          return null;
        }
        parsed = value.substring(start, i);
      }
      Map<String, String> target = star ? extended : plain;
      if (target.put(key, parsed) != null) {
        return null; // a duplicate parameter
      }
    }
    Map<String, String> params = new HashMap<>(plain);
    extended.forEach(
        (key, raw) -> {
          String decoded = decode2231(raw);
          if (decoded != null) {
            params.put(key, decoded);
          }
        });
    return new MediaValue(type, Map.copyOf(params));
  }

  private static boolean validType(String type) {
    if (type.isEmpty()) {
      return false;
    }
    int slash = type.indexOf('/');
    String major = slash < 0 ? type : type.substring(0, slash);
    String minor = slash < 0 ? null : type.substring(slash + 1);
    return isToken(major) && (minor == null || isToken(minor));
  }

  private static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!isTokenChar(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isTokenChar(char c) {
    return c > 0x20 && c < 0x7f && SPECIALS.indexOf(c) < 0;
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** Reads the quoted string at {@code i} into {@code out}; the index after it, or -1. */
  private static int quoted(String s, int i, StringBuilder out) {
    for (int k = i + 1; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c == '"') {
        return k + 1;
      }
      if (c == '\\' && k + 1 < s.length() && SPECIALS.indexOf(s.charAt(k + 1)) >= 0) {
        out.append(s.charAt(k + 1));
        k++;
        continue;
      }
      if (c == '\r' || c == '\n') {
        return -1;
      }
      out.append(c);
    }
    return -1;
  }

  /** {@code charset'language'percent-encoded}, for UTF-8 and US-ASCII; null otherwise. */
  private static String decode2231(String raw) {
    String[] parts = raw.split("'", 3);
    if (parts.length != 3) {
      return null;
    }
    Charset charset;
    switch (parts[0].toLowerCase(Locale.ROOT)) {
      case "utf-8" -> charset = StandardCharsets.UTF_8;
      case "us-ascii" -> charset = StandardCharsets.US_ASCII;
      default -> {
        return null;
      }
    }
    String encoded = parts[2];
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c == '%') {
        if (i + 2 >= encoded.length()) {
          return null;
        }
        int hi = Character.digit(encoded.charAt(i + 1), 16);
        int lo = Character.digit(encoded.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else {
        bytes.write(c);
      }
    }
    return bytes.toString(charset);
  }
}
