package dev.kpm.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.api.dto.CallerInfo;
import dev.kpm.api.dto.TokenInfo;
import dev.kpm.audit.Act;
import dev.kpm.audit.AuditAction;
import dev.kpm.security.AuthException;
import dev.kpm.security.Caller;
import dev.kpm.security.TokenAdmin;
import dev.kpm.security.TokenRequestException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Who am I, and kpm's API tokens (kpm extension, docs/api.md §10.4). The roles are enforced by
 * {@link SecurityFilter}; these methods only need the caller for the record.
 */
@Path("/auth")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class AuthResource {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** The body of {@code POST /auth/tokens}. */
  record TokenRequest(String name, String role, String expiresIn) {}

  private final TokenAdmin tokens;

  @Inject
  public AuthResource(TokenAdmin tokens) {
    this.tokens = tokens;
  }

  @GET
  @Path("me")
  public CallerInfo me(@Context SecurityContext security) {
    return CallerInfo.from(caller(security));
  }

  @GET
  @Path("tokens")
  public List<TokenInfo> list() {
    return tokens.list().stream().map(TokenInfo::from).toList();
  }

  @POST
  @Path("tokens")
  public Response create(
      @Context SecurityContext security, @Context ContainerRequestContext ctx, String body) {
    Act act = Acts.of(ctx, AuditAction.TOKEN_CREATE);
    TokenRequest request = parse(body);
    act.plugin("tokens", request.name());
    Duration lifetime = null;
    if (request.expiresIn() != null) {
      try {
        lifetime = Duration.parse(request.expiresIn());
      } catch (DateTimeParseException e) {
        throw TokenRequestException.invalid(
            "expiresIn must be an ISO-8601 duration such as P90D or PT12H, got '"
                + request.expiresIn()
                + "'");
      }
    }
    TokenAdmin.Created created =
        tokens.create(request.name(), request.role(), lifetime, caller(security), act);
    return Response.created(URI.create("/auth/tokens/" + created.token().id()))
        .entity(TokenInfo.withSecret(created.token(), created.secret()))
        .build();
  }

  @DELETE
  @Path("tokens/{id}")
  public TokenInfo revoke(
      @Context SecurityContext security,
      @Context ContainerRequestContext ctx,
      @PathParam("id") String id) {
    Act act = Acts.of(ctx, AuditAction.TOKEN_REVOKE).detail("token " + id);
    long number;
    try {
      number = Long.parseLong(id);
    } catch (NumberFormatException e) {
      throw TokenRequestException.notFound("token " + id + " not found");
    }
    return TokenInfo.from(tokens.revoke(number, caller(security), act));
  }

  private static TokenRequest parse(String body) {
    if (body == null || body.isBlank()) {
      throw TokenRequestException.invalid(
          "body must be JSON: {\"name\": …, \"role\": \"viewer|operator|admin\", \"expiresIn\":"
              + " \"P90D\"}");
    }
    try {
      TokenRequest request = JSON.readValue(body, TokenRequest.class);
      if (request == null) {
        throw TokenRequestException.invalid("body must be a JSON object");
      }
      return request;
    } catch (JsonProcessingException e) {
      throw TokenRequestException.invalid(
          "body must be JSON with name, role and expiresIn: " + e.getOriginalMessage());
    }
  }

  private static Caller caller(SecurityContext security) {
    if (security != null && security.getUserPrincipal() instanceof Caller caller) {
      return caller;
    }
    throw AuthException.missing();
  }
}
