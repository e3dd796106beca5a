package dev.kpm.audit;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Source URLs as the audit may keep them: without credentials (docs/api.md §11.1). */
final class SourceUrls {
  /** Query parameters whose values are secrets: tokens, keys, passwords, presigned signatures. */
  private static final Pattern SECRET =
      Pattern.compile(
          "(?i).*(token|key|secret|password|passwd|pwd|auth|signature|sig|credential|session).*");

  private SourceUrls() {}

  static String strip(String url) {
    if (url == null) {
      return null;
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      // Not a URL kpm could fetch: keep only what precedes any possible user information.
      int at = url.indexOf('@');
      return at < 0 ? url : "(unparsable URL with user information)";
    }
    if (uri.isOpaque()) {
      return uri.getScheme() + ":…";
    }
    StringBuilder out = new StringBuilder();
    if (uri.getScheme() != null) {
      out.append(uri.getScheme().toLowerCase(Locale.ROOT)).append(':');
    }
    if (uri.getRawAuthority() != null) {
      out.append("//");
      if (uri.getHost() != null) {
        out.append(uri.getHost());
        if (uri.getPort() >= 0) {
          out.append(':').append(uri.getPort());
        }
      } else {
        String authority = uri.getRawAuthority();
        out.append(authority.substring(authority.lastIndexOf('@') + 1));
      }
    }
    if (uri.getRawPath() != null) {
      out.append(uri.getRawPath());
    }
    if (uri.getRawQuery() != null) {
      out.append('?').append(query(uri.getRawQuery()));
    }
    return out.toString();
  }

  private static String query(String raw) {
    StringBuilder out = new StringBuilder();
    for (String pair : raw.split("&", -1)) {
      if (out.length() > 0) {
        out.append('&');
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      boolean secret =
          SECRET.matcher(name).matches() || name.toLowerCase(Locale.ROOT).startsWith("x-amz-");
      out.append(eq < 0 || !secret ? pair : name + "=***");
    }
    return out.toString();
  }
}
