package dev.kpm.api.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.api.dto.ErrorBody;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Builds error responses byte for byte as eKuiper writes them: compact JSON and one trailing
 * newline; served as {@code application/json} (docs/api.md §9: the only envelope change).
 */
public final class ErrorResponses {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ErrorResponses() {}

  static Response.ResponseBuilder builder(int status, int code, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(body(code, message));
  }

  static Response of(int status, int code, String message) {
    return builder(status, code, message).build();
  }

  public static String body(int code, String message) {
    try {
      return JSON.writeValueAsString(new ErrorBody(code, message)) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise an error body", e);
    }
  }
}
