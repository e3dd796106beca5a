package dev.kpm.install.download;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * eKuiper's syntactic check of the {@code file} field (docs/api.md §1.5): the string parses as a
 * request URI; its scheme is {@code http}/{@code https} (any case) with a non-empty host, or {@code
 * file} with an empty host and a non-empty path; and the whole string ends with {@code .zip}.
 */
public final class SourceUrl {
  private SourceUrl() {}

  /** The parsed URI (scheme lower-cased), or empty when eKuiper would answer "invalid uri". */
  public static Optional<URI> parse(String file) {
    if (file == null || !file.endsWith(".zip")) {
      return Optional.empty();
    }
    URI uri;
    try {
      uri = new URI(file);
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
    // An opaque URI (file:tmp/x.zip) is not a request URI: Go needs "/" or "//" after the scheme.
    if (uri.getScheme() == null || uri.isOpaque()) {
      return Optional.empty();
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    boolean valid =
        switch (scheme) {
          case "http", "https" -> !isEmpty(uri.getHost());
          case "file" -> uri.getRawAuthority() == null && !isEmpty(uri.getRawPath());
          default -> false;
        };
    if (!valid) {
      return Optional.empty();
    }
    return Optional.of(scheme.equals(uri.getScheme()) ? uri : lowerScheme(file, scheme));
  }

  private static URI lowerScheme(String file, String scheme) {
    return URI.create(scheme + file.substring(scheme.length()));
  }

  private static boolean isEmpty(String s) {
    return s == null || s.isEmpty();
  }
}
