package dev.kpm.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The audit trail's pure parts: credential stripping, the hash, queries, refusal counting. */
class AuditUnitTest {
  private static final Instant T = Instant.parse("2026-12-05T10:00:30.123456789Z");

  @Test
  void sourceUrlsLoseUserInformationAndCredentialLikeQueryValues() {
    assertEquals(
        "https://example.com/p/x.zip", SourceUrls.strip("https://ops:s3cret@example.com/p/x.zip"));
    assertEquals(
        "https://h:8443/x.zip?X-Amz-Signature=***&token=***&v=2",
        SourceUrls.strip("https://h:8443/x.zip?X-Amz-Signature=abc&token=t0k&v=2"));
    assertEquals("file:///tmp/x.zip", SourceUrls.strip("file:///tmp/x.zip"));
    assertEquals("x.zip", SourceUrls.strip("x.zip"));
    assertNull(SourceUrls.strip(null));
    assertEquals(
        "(unparsable URL with user information)", SourceUrls.strip("http://a b:pw@h/x.zip"));
  }

  @Test
  void anErrorTextThatRepeatsTheUrlKeepsItWithoutCredentials() {
    Act act =
        new Act(new Actor("ops", "token", "10.0.0.1", "r1"), AuditAction.PLUGIN_CREATE)
            .source("http://u:pw@h/x.zip");
    AuditEvent e = act.ended(400, "fail to download file http://u:pw@h/x.zip: 404");
    assertEquals("fail to download file http://h/x.zip: 404", e.error());
    assertEquals("failed", e.outcome());
    assertEquals("refused", AuditEvent.outcomeOf(403));
    assertEquals("ok", act.succeeded().outcome());
    assertEquals(201, act.succeeded().status());
  }

  @Test
  void theHashCoversEveryFieldTheNumberAndThePreviousHash() {
    AuditEvent e = event("ops");
    String h = Chain.hash(7, Chain.GENESIS, e);
    assertEquals(h, Chain.hash(7, Chain.GENESIS, event("ops")), "deterministic");
    assertNotEquals(h, Chain.hash(8, Chain.GENESIS, e), "the number");
    assertNotEquals(h, Chain.hash(7, "1".repeat(64), e), "the previous hash");
    assertNotEquals(h, Chain.hash(7, Chain.GENESIS, event("opz")), "a field");
    // Length prefixes: moving text from one field to the next changes the hash.
    AuditEvent a =
        new AuditEvent(
            T, "n", "ab", "c", null, null, "x", null, null, null, null, null, null, "ok", 200, null,
            null, 1, null);
    AuditEvent b =
        new AuditEvent(
            T, "n", "a", "bc", null, null, "x", null, null, null, null, null, null, "ok", 200, null,
            null, 1, null);
    assertNotEquals(Chain.hash(1, Chain.GENESIS, a), Chain.hash(1, Chain.GENESIS, b));
    assertEquals(64, h.length());
  }

  @Test
  void eventsKeepMicrosecondsAndCutTextsToTheirColumns() {
    AuditEvent e =
        new AuditEvent(
            T,
            "n",
            "s".repeat(400),
            "m",
            null,
            null,
            "a",
            null,
            "n".repeat(300),
            null,
            null,
            null,
            null,
            "ok",
            200,
            "e".repeat(5000),
            null,
            1,
            null);
    assertEquals(Instant.parse("2026-12-05T10:00:30.123456Z"), e.at());
    assertEquals(300, e.subject().length());
    assertEquals(255, e.pluginName().length());
    assertEquals(4000, e.error().length());
  }

  @Test
  void queriesAreValidatedWithClearTexts() {
    AuditQuery q =
        AuditQuery.parse(
            "2026-12-01",
            "2026-12-05T10:00:00Z",
            "ops",
            "plugin.create",
            "sinks",
            "x",
            "ok",
            "r1",
            "50",
            "99");
    assertEquals(Instant.parse("2026-12-01T00:00:00Z"), q.since());
    assertEquals(50, q.limit());
    assertEquals(99L, q.cursor());
    List<Object> values = new ArrayList<>();
    assertEquals(
        " WHERE at >= ? AND at < ? AND subject = ? AND action = ? AND plugin_type = ?"
            + " AND plugin_name = ? AND outcome = ? AND request_id = ? AND seq < ?",
        q.where(values));
    assertEquals(9, values.size());
    AuditQuery none = AuditQuery.parse(null, null, "", null, null, null, null, null, null, null);
    assertEquals(AuditQuery.DEFAULT_LIMIT, none.limit());
    assertEquals("", none.where(new ArrayList<>()));
    assertEquals(
        "invalid audit query: since must be before until",
        assertThrows(
                AuditQueryException.class,
                () ->
                    AuditQuery.parse(
                        "2026-12-05", "2026-12-01", null, null, null, null, null, null, null, null))
            .getMessage());
    assertTrue(
        assertThrows(
                AuditQueryException.class,
                () ->
                    AuditQuery.parse(
                        null, null, "p".repeat(301), null, null, null, null, null, null, null))
            .getMessage()
            .contains("principal is longer than 300"));
  }

  @Test
  void refusalsAreCountedPerClientStatusAndMinuteAndCappedInClients() {
    Refusals r = new Refusals();
    for (int i = 0; i < 1000; i++) {
      r.add(T, "10.0.0.1", "id" + i, 401, "POST /plugins/sources", "missing credential");
    }
    r.add(T, "10.0.0.1", "x", 429, "GET /plugins/sources", "too many");
    r.add(T.plusSeconds(60), "10.0.0.1", "later", 401, "GET /", "missing credential");
    List<AuditEvent> closed = r.drain(T.plusSeconds(61), false);
    assertEquals(2, closed.size(), "the ended minute: one row per status");
    AuditEvent flood = closed.get(0);
    assertEquals(1000, flood.count());
    assertEquals("request.refused", flood.action());
    assertEquals("id0", flood.requestId());
    assertTrue(flood.detail().contains("the first: POST /plugins/sources"));
    assertEquals(1, r.drain(T.plusSeconds(61), true).size(), "the current minute on demand");
    assertTrue(r.isEmpty());

    for (int c = 0; c < Refusals.MAX_CLIENTS + 50; c++) {
      r.add(T, "10.1." + (c / 256) + "." + (c % 256), "i", 401, "GET /", "m");
    }
    List<AuditEvent> capped = r.drain(T.plusSeconds(120), false);
    assertEquals(Refusals.MAX_CLIENTS + 1, capped.size());
    AuditEvent others = capped.get(capped.size() - 1);
    assertEquals("*", others.clientAddress());
    assertEquals(50, others.count());
  }

  private static AuditEvent event(String subject) {
    return new AuditEvent(
        T,
        "node",
        subject,
        "token",
        "127.0.0.1",
        "r",
        "plugin.create",
        "sinks",
        "x",
        "http://h/x.zip",
        "a".repeat(64),
        "",
        "v1",
        "ok",
        201,
        null,
        null,
        1,
        5L);
  }
}
