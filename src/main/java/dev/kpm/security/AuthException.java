package dev.kpm.security;

/**
 * A request the filter refuses before it reaches kpm: 401 (no or a bad credential), 403 (too small
 * a role, protected mode) 429 (too many failed authentications) or 503 (cannot be checked now). The
 * message starts with eKuiper's text where eKuiper has one ({@code missing_token}, {@code validate
 * token error: …}).
 */
public final class AuthException extends RuntimeException {
  private final int status;
  private final long retryAfterSeconds;

  private AuthException(int status, String message) {
    this(status, message, 0);
  }

  private AuthException(int status, String message, long retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** 401: no credential. */
  public static AuthException missing() {
    return new AuthException(401, "missing_token");
  }

  /** 401: a credential that does not verify. */
  public static AuthException invalid(String message) {
    return new AuthException(401, message);
  }

  /** 403. */
  public static AuthException forbidden(String message) {
    return new AuthException(403, message);
  }

  /** 429, to be retried after that many seconds. */
  public static AuthException tooMany(String message, long retryAfterSeconds) {
    return new AuthException(429, message, retryAfterSeconds);
  }

  /** 503: the credential cannot be checked now (the OIDC provider's keys cannot be fetched). */
  public static AuthException unavailable(String message) {
    return new AuthException(503, message);
  }

  public int status() {
    return status;
  }

  /** For a 429: the seconds until the client may try again; else 0. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
