package dev.kpm.api.error;

import dev.kpm.plugin.PluginException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Anything unexpected: 500 with a reference id that is logged with the stack trace; the body never
 * carries a stack trace, SQL or a file path.
 */
public final class UnexpectedExceptionMapper implements ExceptionMapper<Throwable> {
  private static final Logger LOG = Logger.getLogger(UnexpectedExceptionMapper.class.getName());

  @Override
  public Response toResponse(Throwable e) {
    String id = UUID.randomUUID().toString();
    LOG.log(Level.SEVERE, "unexpected error, reference " + id, e);
    return ErrorResponses.of(
        500, PluginException.UNDEFINED, "internal error, reference " + id + " in the kpm log");
  }
}
