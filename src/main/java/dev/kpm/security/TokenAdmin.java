package dev.kpm.security;

import dev.kpm.audit.Act;
import java.time.Duration;
import java.util.List;

/**
 * The token endpoints' service: create (the secret is returned once), list, revoke. A change
 * commits with its audit event ({@code act}).
 */
public interface TokenAdmin {

  /** A new token and its secret, which is never shown again. */
  record Created(TokenView token, String secret) {}

  /**
   * @param lifetime null for the longest allowed ({@code kpm.auth.tokenMaxLifetime})
   */
  Created create(String name, String role, Duration lifetime, Caller by, Act act);

  /** Every token, live, expired and revoked, newest first. */
  List<TokenView> list();

  /** Revokes a live token at once; a revoked one stays revoked (idempotent). */
  TokenView revoke(long id, Caller by, Act act);
}
