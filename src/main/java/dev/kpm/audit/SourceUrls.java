package dev.kpm.audit;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Source URLs as the audit may keep them: without credentials (docs/api.md §12.1). */
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
    String out = url;
    if (uri.getRawUserInfo() != null) {
      out = out.replaceFirst(Pattern.quote(uri.getRawUserInfo() + "@"), "");
    }
    String query = uri.getRawQuery();
    if (query != null) {
      int q = out.indexOf('?');
      int hash = out.indexOf('#', q);
      out = out.substring(0, q + 1) + query(query) + (hash < 0 ? "" : out.substring(hash));
    }
    return out;
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
