package dev.kpm.api;

import dev.kpm.audit.Act;
import dev.kpm.audit.Actor;
import dev.kpm.audit.AuditAction;
import dev.kpm.security.Caller;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.security.Principal;

/** The audit record of the request being served, as {@link SecurityFilter} opened it. */
final class Acts {
  private Acts() {}

  /**
   * The request's act; without the gate in front (the in-memory contract tests) a detached one of
   * {@code action}, attributed to the request's principal if any.
   */
  static Act of(ContainerRequestContext request, AuditAction action) {
    if (request.getProperty(Act.class.getName()) instanceof Act act) {
      return act;
    }
    Principal p =
        request.getSecurityContext() == null
            ? null
            : request.getSecurityContext().getUserPrincipal();
    Actor actor =
        p instanceof Caller c
            ? new Actor(c.subject(), c.method().wire(), c.clientAddress(), c.requestId())
            : new Actor("unknown", "none", null, null);
    return new Act(actor, action);
  }
}
