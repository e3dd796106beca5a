package dev.kpm.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.Settings;
import dev.kpm.testing.ApiTest;
import dev.kpm.testing.Http;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The retention purge (docs/api.md §12.3): it removes the oldest events as a prefix of the chain,
 * moves the chain's anchor in the same transaction, records itself, and the chain still verifies —
 * and still catches tampering — afterwards. Its requests go around the test client on purpose: the
 * purge removes their events, which {@link ApiTest}'s one-event-per-request check would miss.
 */
class AuditRetentionIT extends ApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  protected Map<Settings.Key, String> settings() {
    return Map.of(Settings.Key.AUTH, "token");
  }

  private JsonNode call(String method, String path, String body) throws Exception {
    String admin = Files.readString(kpm.home().resolve("etc/initial-admin-token")).strip();
    HttpResponse<String> r =
        Http.send(
            HttpRequest.newBuilder(getBaseUri().resolve(path))
                .header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json")
                .method(
                    method,
                    body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)));
    assertTrue(r.statusCode() < 300, path + " answered " + r.statusCode() + ": " + r.body());
    return JSON.readTree(r.body());
  }

  @Test
  void verificationStillPassesAfterThePurgeMovesTheAnchorAndStillCatchesTampering()
      throws Exception {
    for (int i = 0; i < 5; i++) {
      JsonNode token =
          call("POST", "auth/tokens", "{\"name\":\"old" + i + "\",\"role\":\"viewer\"}");
      call("DELETE", "auth/tokens/" + token.get("id").asText(), null);
    }
    JsonNode before = call("GET", "audit/verify", null);
    long head = before.get("head").get("seq").asLong();
    assertTrue(head >= 11, "the initial admin token and ten changes: " + head);

    AuditTrail.Purge purge = kpm.runtime().audit().purge(Instant.now());

    assertEquals(head, purge.events(), "every event older than the cutoff is gone");
    assertEquals(head, purge.anchorSeq());
    assertEquals(0, kpm.count("SELECT count(*) FROM audit_event WHERE seq <= " + head));
    JsonNode after = call("GET", "audit/verify", null);
    assertTrue(after.get("ok").asBoolean(), after.toString());
    assertEquals(head, after.get("anchor").get("seq").asLong());
    assertEquals(before.get("head").get("hash").asText(), after.get("anchor").get("hash").asText());
    JsonNode purged = call("GET", "audit?action=audit.purge", null).get("events");
    assertEquals(1, purged.size(), "the purge is recorded");
    assertEquals("system", purged.get(0).get("subject").asText());
    assertTrue(purged.get(0).get("detail").asText().contains("removed " + head + " event(s)"));

    // The chain goes on from its anchor, and a change behind kpm's back is still found.
    call("POST", "auth/tokens", "{\"name\":\"new\",\"role\":\"viewer\"}");
    assertTrue(call("GET", "audit/verify", null).get("ok").asBoolean());
    kpm.sql(
        "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change",
        "UPDATE audit_event SET detail = 'forged' WHERE seq = " + (head + 1),
        "ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change");
    JsonNode tampered = call("GET", "audit/verify", null);
    assertFalse(tampered.get("ok").asBoolean());
    assertEquals(head + 1, tampered.get("firstBreak").get("seq").asLong());
  }
}
