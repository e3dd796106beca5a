package dev.kpm.security;

/** A token request kpm refuses: 400 (bad input, name taken) or 404 (no such token). */
public final class TokenRequestException extends RuntimeException {
  private final int status;

  private TokenRequestException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public static TokenRequestException invalid(String message) {
    return new TokenRequestException(400, message);
  }

  public static TokenRequestException notFound(String message) {
    return new TokenRequestException(404, message);
  }

  public int status() {
    return status;
  }
}
