package dev.kpm.api.error;

import dev.kpm.persistence.DatabaseUnavailableException;
import dev.kpm.plugin.PluginException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.logging.Logger;

/**
 * The database is down, frozen or overloaded: 503 with {@code Retry-After}, in eKuiper's envelope
 * and without internals (a kpm deviation: eKuiper answers these paths with 400 or 404 only). What
 * the request changed on disk was undone, or is kept for the database to decide (a commit of
 * unknown outcome), so retrying is safe.
 */
public final class DatabaseUnavailableMapper
    implements ExceptionMapper<DatabaseUnavailableException> {
  public static final String MESSAGE =
      "database unavailable: kpm cannot reach its PostgreSQL database; try again later";
  public static final int RETRY_AFTER_SECONDS = 5;
  private static final Logger LOG = Logger.getLogger(DatabaseUnavailableMapper.class.getName());

  @Override
  public Response toResponse(DatabaseUnavailableException e) {
    LOG.warning(() -> "answered 503: " + e.getMessage() + ": " + rootCause(e));
    return ErrorResponses.builder(503, PluginException.UNDEFINED, MESSAGE)
        .header(HttpHeaders.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS))
        .build();
  }

  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.toString();
  }
}
