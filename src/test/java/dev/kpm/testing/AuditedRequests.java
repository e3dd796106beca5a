package dev.kpm.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kpm.security.AccessRules;
import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientResponseContext;
import jakarta.ws.rs.client.ClientResponseFilter;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Remembers every request a test client sent that kpm must audit (its access rule names an audit
 * action) with the id and status kpm answered, and checks that each left exactly one audit event
 * with that status and the principal the request carried (docs/api.md §12.1). {@link ApiTest}
 * registers it on its client and checks after each test class.
 */
public final class AuditedRequests implements ClientResponseFilter {
  /** One audited request: what was sent and what kpm answered. */
  public record Sent(
      String method, String path, String requestId, int status, boolean credential) {}

  private final Queue<Sent> sent = new ConcurrentLinkedQueue<>();

  @Override
  public void filter(ClientRequestContext request, ClientResponseContext response) {
    URI uri = request.getUri();
    String path = uri.getPath();
    boolean audited =
        AccessRules.rule(request.getMethod(), path).map(r -> r.audit() != null).orElse(false);
    String id = response.getHeaderString("X-Request-Id");
    if (audited && id != null) {
      sent.add(
          new Sent(
              request.getMethod(),
              path,
              id,
              response.getStatus(),
              request.getHeaderString("Authorization") != null));
    }
  }

  public int size() {
    return sent.size();
  }

  /**
   * Fails unless every remembered request left exactly one event of its request id, with the status
   * answered, refused or not, and a principal: anonymous only without a credential.
   */
  public void assertEachLeftOneEvent(TestDatabase.Coordinates db) {
    List<String> wrong = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
        PreparedStatement s =
            c.prepareStatement(
                "SELECT status, subject, auth_method, outcome FROM audit_event"
                    + " WHERE request_id = ?")) {
      for (Sent r : sent) {
        s.setString(1, r.requestId());
        List<String> events = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            int status = rs.getInt(1);
            String method = rs.getString(3);
            boolean principalOk = r.credential() ? !method.equals("none") : method.equals("none");
            events.add(
                status
                    + " "
                    + rs.getString(4)
                    + (principalOk ? "" : " wrong principal " + rs.getString(2) + "/" + method));
          }
        }
        String expected =
            r.status()
                + " "
                + (r.status() < 400
                    ? "ok"
                    : List.of(401, 403, 413, 429).contains(r.status()) ? "refused" : "failed");
        // An accepted job (202) is recorded once it ends, with the status its synchronous call
        // would have answered.
        boolean jobRecorded =
            r.status() == 202 && events.size() == 1 && !events.get(0).startsWith("202 ");
        if (!jobRecorded && !events.equals(List.of(expected))) {
          wrong.add(r.method() + " " + r.path() + " answered " + r.status() + ": events " + events);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("audit check query failed: " + e.getMessage(), e);
    }
    assertEquals(List.of(), wrong, "audited requests without exactly one matching audit event");
  }
}
