package dev.kpm.api.error;

import dev.kpm.plugin.PluginException;
import dev.kpm.security.AuthException;
import dev.kpm.security.TokenRequestException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** Refusals of the security endpoints, in eKuiper's error shape with their own statuses. */
public final class SecurityExceptionMapper {
  private SecurityExceptionMapper() {}

  /** A token request kpm refuses: 400 or 404. */
  public static final class Tokens implements ExceptionMapper<TokenRequestException> {
    @Override
    public Response toResponse(TokenRequestException e) {
      int code = e.status() == 404 ? PluginException.NOT_FOUND : PluginException.UNDEFINED;
      return ErrorResponses.of(e.status(), code, e.getMessage());
    }
  }

  /** A refusal raised behind the filter (a resource that found no caller): 401 and friends. */
  public static final class Auth implements ExceptionMapper<AuthException> {
    @Override
    public Response toResponse(AuthException e) {
      Response.ResponseBuilder b =
          ErrorResponses.builder(e.status(), PluginException.UNDEFINED, e.getMessage());
      if (e.status() == 401) {
        b.header("WWW-Authenticate", "Bearer realm=\"kpm\"");
      }
      return b.build();
    }
  }
}
