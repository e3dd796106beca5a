package dev.kpm.security;

import java.util.List;

/**
 * Everything the security filter decides with, built once from the settings.
 *
 * @param protectedMode with {@code kpm.auth=none}: only loopback clients are served, and no page of
 *     a browser origin that {@code corsOrigins} does not list
 * @param maxBodyBytes the largest request body kpm reads, but for a file upload
 * @param maxUploadBytes the largest body of a file upload ({@code kpm.uploads.maxBytes})
 * @param corsOrigins origins browsers may call kpm from ({@code *} for any); empty: CORS off
 */
public record SecurityPolicy(
    Authenticator authenticator,
    ClientAddresses clients,
    FailureLimiter failures,
    boolean protectedMode,
    long maxBodyBytes,
    long maxUploadBytes,
    List<String> corsOrigins) {

  /** The caller of a request kpm serves without authentication ({@code kpm.auth=none}). */
  public static Caller anonymous(String clientAddress, String requestId) {
    return new Caller("anonymous", AuthMethod.NONE, Role.ADMIN, clientAddress, requestId);
  }

  public boolean corsAllows(String origin) {
    return origin != null && (corsOrigins.contains("*") || corsOrigins.contains(origin));
  }
}
