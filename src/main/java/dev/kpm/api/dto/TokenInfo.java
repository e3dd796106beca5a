package dev.kpm.api.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kpm.security.TokenView;
import java.time.Instant;

/**
 * An API token as the token endpoints show it (kpm extension): never its secret, except {@code
 * token} in the answer to its creation, the only time it is shown.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TokenInfo(
    long id,
    String name,
    String role,
    String hint,
    String createdAt,
    String createdBy,
    String expiresAt,
    String lastUsedAt,
    String revokedAt,
    String revokedBy,
    String token) {

  public static TokenInfo from(TokenView v) {
    return withSecret(v, null);
  }

  public static TokenInfo withSecret(TokenView v, String secret) {
    return new TokenInfo(
        v.id(),
        v.name(),
        v.role().wire(),
        v.hint(),
        text(v.createdAt()),
        v.createdBy(),
        text(v.expiresAt()),
        text(v.lastUsedAt()),
        text(v.revokedAt()),
        v.revokedBy(),
        secret);
  }

  private static String text(Instant at) {
    return at == null ? null : at.toString();
  }
}
