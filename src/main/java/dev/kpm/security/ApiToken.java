package dev.kpm.security;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One API token (table {@code api_token}): its hash, never its secret. */
@Entity
@Table(name = "api_token")
class ApiToken {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(nullable = false, length = 64)
  private String name;

  @Column(nullable = false, length = 16)
  private String role;

  @Column(name = "secret_sha256", nullable = false, length = 64, columnDefinition = "bpchar(64)")
  private String secretSha256;

  @Column(nullable = false, length = 8)
  private String hint;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Column(name = "created_by", nullable = false, length = 300)
  private String createdBy;

  @Column(name = "expires_at", nullable = false)
  private Instant expiresAt;

  @Column(name = "last_used_at")
  private Instant lastUsedAt;

  @Column(name = "revoked_at")
  private Instant revokedAt;

  @Column(name = "revoked_by", length = 300)
  private String revokedBy;

  protected ApiToken() {}

  ApiToken(
      String name,
      Role role,
      String secretSha256,
      String hint,
      Instant createdAt,
      String createdBy,
      Instant expiresAt) {
    this.name = name;
    this.role = role.wire();
    this.secretSha256 = secretSha256;
    this.hint = hint;
    this.createdAt = createdAt;
    this.createdBy = createdBy;
    this.expiresAt = expiresAt;
  }

  long id() {
    return id;
  }

  String secretSha256() {
    return secretSha256;
  }

  void revoke(Instant at, String by) {
    revokedAt = at;
    revokedBy = by;
  }

  TokenView view() {
    return new TokenView(
        id,
        name,
        Role.parse(role).orElseThrow(),
        hint,
        createdAt,
        createdBy,
        expiresAt,
        lastUsedAt,
        revokedAt,
        revokedBy);
  }
}
