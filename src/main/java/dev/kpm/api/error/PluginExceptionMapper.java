package dev.kpm.api.error;

import dev.kpm.plugin.PluginException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** eKuiper's rule: code 1002 (not found) answers 404, every other code 400. */
public final class PluginExceptionMapper implements ExceptionMapper<PluginException> {
  @Override
  public Response toResponse(PluginException e) {
    int status = e.status();
    return ErrorResponses.of(status, e.code(), e.getMessage());
  }
}
