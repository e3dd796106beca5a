package dev.kpm.api;

import dev.kpm.security.Caller;
import dev.kpm.security.Role;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;

/** The request as kpm sees it once admitted: its principal is the caller. */
final class AdmittedRequest extends HttpServletRequestWrapper {
  private final Caller caller;

  AdmittedRequest(HttpServletRequest request, Caller caller) {
    super(request);
    this.caller = caller;
  }

  @Override
  public Principal getUserPrincipal() {
    return caller;
  }

  @Override
  public String getRemoteUser() {
    return caller.subject();
  }

  @Override
  public boolean isUserInRole(String role) {
    return Role.parse(role).map(caller.role()::includes).orElse(false);
  }

  @Override
  public String getAuthType() {
    return caller.method().wire();
  }
}
