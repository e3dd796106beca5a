package dev.kpm;

import java.time.Duration;
import java.util.Locale;

/** Typed reads of raw setting values; every error names the setting and its variable. */
final class SettingValues {
  private final Settings.Source source;

  SettingValues(Settings.Source source) {
    this.source = source;
  }

  String text(Settings.Key key) {
    return source.get(key).orElse(key.fallback);
  }

  long positive(Settings.Key key) {
    String raw = text(key);
    try {
      long n = Long.parseLong(raw.strip());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid(key, "a positive integer", raw);
  }

  /** A TCP port, or 0 (also when blank) for none. */
  int portOrZero(Settings.Key key) {
    String raw = text(key);
    if (raw.isBlank()) {
      return 0;
    }
    try {
      int n = Integer.parseInt(raw.strip());
      if (n >= 0 && n <= 65535) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid(key, "a port (1-65535) or 0 for none", raw);
  }

  Duration duration(Settings.Key key) {
    String raw = text(key);
    try {
      Duration d = Duration.parse(raw.strip());
      if (!d.isNegative() && !d.isZero()) {
        return d;
      }
    } catch (RuntimeException e) {
      // reported below
    }
    throw invalid(key, "a positive ISO-8601 duration such as PT10S", raw);
  }

  boolean flag(Settings.Key key) {
    String raw = text(key).strip().toLowerCase(Locale.ROOT);
    return switch (raw) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw invalid(key, "true or false", raw);
    };
  }

  private static IllegalArgumentException invalid(Settings.Key key, String what, String raw) {
    return new IllegalArgumentException(
        "setting " + key.property + " (" + key.env + ") must be " + what + ", got '" + raw + "'");
  }
}
