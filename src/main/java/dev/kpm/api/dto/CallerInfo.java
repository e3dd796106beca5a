package dev.kpm.api.dto;

import dev.kpm.security.Caller;

/** {@code GET /auth/me}: who kpm takes the caller for (kpm extension). */
public record CallerInfo(
    String subject, String method, String role, String clientAddress, String requestId) {

  public static CallerInfo from(Caller c) {
    return new CallerInfo(
        c.subject(), c.method().wire(), c.role().wire(), c.clientAddress(), c.requestId());
  }
}
