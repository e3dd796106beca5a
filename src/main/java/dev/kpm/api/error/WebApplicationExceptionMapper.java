package dev.kpm.api.error;

import dev.kpm.plugin.PluginException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/**
 * Jersey's own refusals in the envelope: an unknown path is 404 with eKuiper's router text {@code
 * 404 page not found}, a known path with the wrong method 405 (with {@code Allow}).
 */
public final class WebApplicationExceptionMapper
    implements ExceptionMapper<WebApplicationException> {
  @Override
  public Response toResponse(WebApplicationException e) {
    if (e instanceof NotFoundException) {
      return ErrorResponses.of(404, PluginException.NOT_FOUND, "404 page not found");
    }
    if (e instanceof NotAllowedException) {
      return ErrorResponses.builder(405, PluginException.UNDEFINED, "405 method not allowed")
          .header(HttpHeaders.ALLOW, e.getResponse().getHeaderString(HttpHeaders.ALLOW))
          .build();
    }
    Response.StatusType status = e.getResponse().getStatusInfo();
    return ErrorResponses.of(
        status.getStatusCode(),
        PluginException.UNDEFINED,
        status.getStatusCode() + " " + status.getReasonPhrase().toLowerCase());
  }
}
