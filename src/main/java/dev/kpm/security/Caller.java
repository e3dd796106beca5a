package dev.kpm.security;

import java.security.Principal;
import java.util.Objects;

/**
 * The one principal every way in ends in, and what the audit trail records of a request.
 *
 * @param subject who: the token's name, the JWT's {@code sub} (eKuiper's tokens often have none:
 *     then the issuer), {@code anonymous} without authentication, {@code system} for kpm itself
 * @param method how it was proven
 * @param role what it may do
 * @param clientAddress the client's address (the forwarded one behind a trusted proxy)
 * @param requestId the id kpm gave the request (echoed as {@code X-Request-Id})
 */
public record Caller(
    String subject, AuthMethod method, Role role, String clientAddress, String requestId)
    implements Principal {

  public Caller {
    Objects.requireNonNull(subject);
    Objects.requireNonNull(method);
    Objects.requireNonNull(role);
  }

  /** kpm acting on its own: auto-load, reconcile, restarts, fleet convergence. */
  public static Caller system(String requestId) {
    return new Caller("system", AuthMethod.SYSTEM, Role.ADMIN, "", requestId);
  }

  @Override
  public String getName() {
    return subject;
  }
}
