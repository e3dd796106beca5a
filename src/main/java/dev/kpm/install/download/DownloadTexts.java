package dev.kpm.install.download;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** The cause texts of failed downloads that need formatting: eKuiper's (Go's) where it has one. */
final class DownloadTexts {
  // Go's net/http texts for the codes seen in practice, not the server's own reason phrase (which
  // Java's HttpClient did not expose and which varies between servers).
  private static final Map<Integer, String> REASONS =
      Map.ofEntries(
          Map.entry(200, "OK"),
          Map.entry(201, "Created"),
          Map.entry(202, "Accepted"),
          Map.entry(204, "No Content"),
          Map.entry(206, "Partial Content"),
          Map.entry(300, "Multiple Choices"),
          Map.entry(301, "Moved Permanently"),
          Map.entry(302, "Found"),
          Map.entry(303, "See Other"),
          Map.entry(304, "Not Modified"),
          Map.entry(307, "Temporary Redirect"),
          Map.entry(308, "Permanent Redirect"),
          Map.entry(400, "Bad Request"),
          Map.entry(401, "Unauthorized"),
          Map.entry(403, "Forbidden"),
          Map.entry(404, "Not Found"),
          Map.entry(405, "Method Not Allowed"),
          Map.entry(406, "Not Acceptable"),
          Map.entry(407, "Proxy Authentication Required"),
          Map.entry(408, "Request Timeout"),
          Map.entry(409, "Conflict"),
          Map.entry(410, "Gone"),
          Map.entry(413, "Request Entity Too Large"),
          Map.entry(414, "Request URI Too Long"),
          Map.entry(416, "Requested Range Not Satisfiable"),
          Map.entry(429, "Too Many Requests"),
          Map.entry(451, "Unavailable For Legal Reasons"),
          Map.entry(500, "Internal Server Error"),
          Map.entry(501, "Not Implemented"),
          Map.entry(502, "Bad Gateway"),
          Map.entry(503, "Service Unavailable"),
          Map.entry(504, "Gateway Timeout"));

  private DownloadTexts() {}

  static String badStatus(int code) {
    String reason = REASONS.get(code);
    return "cannot download the file with status: " + (reason == null ? code : code + " " + reason);
  }

  static String timedOut(Duration timeout) {
    return "download timed out after " + goDuration(timeout);
  }

  /** A transport failure of one request, in Go's {@code Get "<url>": <cause>} form. */
  static String requestFailed(URI uri, String cause) {
    return "Get \"" + uri + "\": " + cause;
  }

  /** Go's {@code time.Duration.String()} to the millisecond: 500ms, 1s, 1.5s, 5m0s, 1h0m0s. */
  static String goDuration(Duration d) {
    long millis = d.toMillis();
    if (millis < 1000) {
      return millis + "ms";
    }
    long hours = millis / 3_600_000;
    long minutes = millis / 60_000 % 60;
    long seconds = millis / 1000 % 60;
    long fraction = millis % 1000;
    StringBuilder s = new StringBuilder();
    if (hours > 0) {
      s.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      s.append(minutes).append('m');
    }
    s.append(seconds);
    if (fraction > 0) {
      s.append('.').append(String.format("%03d", fraction).replaceAll("0+$", ""));
    }
    return s.append('s').toString();
  }
}
