package dev.kpm.api.error;

import dev.kpm.audit.AuditQueryException;
import dev.kpm.plugin.PluginException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** An audit query kpm cannot answer: 400 in eKuiper's error shape. */
public final class AuditQueryMapper implements ExceptionMapper<AuditQueryException> {
  @Override
  public Response toResponse(AuditQueryException e) {
    return ErrorResponses.of(400, PluginException.UNDEFINED, e.getMessage());
  }
}
