package dev.kpm.api;

import dev.kpm.api.dto.AuditEventInfo;
import dev.kpm.api.dto.AuditPage;
import dev.kpm.api.dto.VerificationInfo;
import dev.kpm.audit.AuditQuery;
import dev.kpm.audit.AuditReads;
import dev.kpm.audit.AuditTrail;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** kpm's audit trail (docs/api.md §12): read, exported as CSV, verified. Admins only. */
@Path("/")
@Singleton
public final class AuditResource {
  private final AuditReads audit;

  @Inject
  public AuditResource(AuditReads audit) {
    this.audit = audit;
  }

  @GET
  @Path("audit")
  @Produces(MediaType.APPLICATION_JSON)
  public AuditPage page(@BeanParam Filter filter) {
    AuditTrail.Page page = audit.page(filter.query(true));
    return new AuditPage(
        page.events().stream().map(AuditEventInfo::from).toList(),
        page.next() == null ? null : Long.toString(page.next()));
  }

  /** The query parameters of both reads (docs/api.md §12.4). */
  public static final class Filter {
    @QueryParam("since")
    String since;

    @QueryParam("until")
    String until;

    @QueryParam("principal")
    String principal;

    @QueryParam("action")
    String action;

    @QueryParam("type")
    String type;

    @QueryParam("name")
    String name;

    @QueryParam("outcome")
    String outcome;

    @QueryParam("requestId")
    String requestId;

    @QueryParam("limit")
    String limit;

    @QueryParam("cursor")
    String cursor;

    AuditQuery query(boolean paged) {
      return AuditQuery.parse(
          since,
          until,
          principal,
          action,
          type,
          name,
          outcome,
          requestId,
          paged ? limit : null,
          cursor);
    }
  }

  /** The same filter as a CSV file (RFC 4180), every matching event; {@code limit} is ignored. */
  @GET
  @Path("audit.csv")
  @Produces("text/csv;charset=utf-8")
  public Response csv(@BeanParam Filter filter) {
    AuditQuery query = filter.query(false);
    StreamingOutput body =
        out -> {
          Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
          row(w, List.copyOf(AuditEventInfo.COLUMNS));
          try {
            audit.export(
                query,
                e -> {
                  try {
                    row(w, AuditEventInfo.from(e).values());
                  } catch (IOException io) {
                    throw new UncheckedIOException(io);
                  }
                });
          } catch (UncheckedIOException e) {
            throw e.getCause();
          }
          w.flush();
        };
    return Response.ok(body)
        .header("Content-Disposition", "attachment; filename=\"kpm-audit.csv\"")
        .build();
  }

  @GET
  @Path("audit/verify")
  @Produces(MediaType.APPLICATION_JSON)
  public VerificationInfo verify() {
    return VerificationInfo.from(audit.verify());
  }

  private static void row(Writer w, List<?> values) throws IOException {
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        w.write(',');
      }
      w.write(cell(values.get(i)));
    }
    w.write("\r\n");
  }

  /**
   * One CSV cell: quoted when it must be; a text a spreadsheet would run as a formula ({@code =},
   * {@code +}, {@code -}, {@code @}, tab, CR) gets a leading apostrophe, as OWASP advises.
   */
  static String cell(Object value) {
    if (value == null) {
      return "";
    }
    String s = value.toString();
    if (!(value instanceof Number) && !s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0) {
      s = "'" + s;
    }
    if (s.indexOf(',') >= 0
        || s.indexOf('"') >= 0
        || s.indexOf('\n') >= 0
        || s.indexOf('\r') >= 0) {
      return '"' + s.replace("\"", "\"\"") + '"';
    }
    return s;
  }
}
