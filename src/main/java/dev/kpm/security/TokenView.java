package dev.kpm.security;

import java.time.Instant;

/** What an admin sees of a token: everything but its secret. */
public record TokenView(
    long id,
    String name,
    Role role,
    String hint,
    Instant createdAt,
    String createdBy,
    Instant expiresAt,
    Instant lastUsedAt,
    Instant revokedAt,
    String revokedBy) {

  boolean liveAt(Instant now) {
    return revokedAt == null && now.isBefore(expiresAt);
  }
}
