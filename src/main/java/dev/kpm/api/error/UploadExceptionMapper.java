package dev.kpm.api.error;

import dev.kpm.upload.UploadException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** A refused upload in eKuiper's envelope: 400 or 404 as eKuiper's codes say, 413 over the cap. */
public final class UploadExceptionMapper implements ExceptionMapper<UploadException> {
  @Override
  public Response toResponse(UploadException e) {
    return ErrorResponses.of(e.status(), e.code(), e.getMessage());
  }
}
