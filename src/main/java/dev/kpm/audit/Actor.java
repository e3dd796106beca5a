package dev.kpm.audit;

/**
 * Who acts, as the audit records it: a caller's subject and the way it was proven, its address and
 * the request's id; {@link #system} for kpm's own actions.
 *
 * @param method the wire name of the way in: {@code none}, {@code token}, {@code ekuiper}, {@code
 *     oidc}, {@code system}
 */
public record Actor(String subject, String method, String clientAddress, String requestId) {

  /** kpm itself: auto-load, reconcile, restarts, the retention purge. */
  public static Actor system() {
    return new Actor("system", "system", null, null);
  }

  /** A client the gate refused before knowing who it is. */
  public static Actor anonymous(String clientAddress, String requestId) {
    return new Actor("anonymous", "none", clientAddress, requestId);
  }
}
