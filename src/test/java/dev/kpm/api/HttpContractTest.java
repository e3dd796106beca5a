package dev.kpm.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.KpmApplication;
import dev.kpm.fleet.PluginOnNode;
import dev.kpm.persistence.DatabaseUnavailableException;
import dev.kpm.plugin.NativePluginView;
import dev.kpm.plugin.PluginException;
import dev.kpm.plugin.PluginMetadata;
import dev.kpm.plugin.PluginType;
import dev.kpm.plugin.PortablePluginView;
import dev.kpm.portable.PortableStatus;
import dev.kpm.portable.ProcessState;
import dev.kpm.testing.FakeServices;
import dev.kpm.upload.UploadException;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.glassfish.jersey.test.JerseyTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP contract of every endpoint, in seconds: kpm's production {@link KpmApplication} (its
 * resources, filters and exception mappers) over in-memory services — routes and methods, success
 * statuses and bodies, media types, and the error shape for every kind of failure. What the
 * services really do, and the servlet filter answering reads ahead of JAX-RS, are the IT tier's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpContractTest extends JerseyTest {
  private static final String JSON = MediaType.APPLICATION_JSON;
  private static final FakeServices fake = new FakeServices();
  private static final AtomicBoolean stopped = new AtomicBoolean();

  @Override
  protected Application configure() {
    return new KpmApplication(fake.services(), stopped::get);
  }

  @BeforeAll
  void start() throws Exception {
    super.setUp();
  }

  @AfterAll
  void stop() throws Exception {
    super.tearDown();
  }

  @BeforeEach
  void reset() {
    fake.calls.clear();
    fake.failure = null;
    fake.uploaded.clear();
    fake.fleetNodes = FakeServices.defaultFleet();
    fake.notReady = Optional.empty();
    stopped.set(false);
    fake.natives =
        List.of(
            new NativePluginView(PluginType.SOURCES, "random", "v1.0.0", Optional.empty()),
            new NativePluginView(PluginType.FUNCTIONS, "echo2", "", Optional.of(List.of("echo2"))));
    fake.udfOwners = Map.of("echo2", "echo2");
    fake.portables =
        List.of(
            new PortablePluginView(
                "probe",
                "v1.0.0",
                "go",
                Path.of("/home/plugins/portable/probe/probe"),
                null,
                null,
                List.of("counter"),
                null,
                null));
    fake.status =
        new PortableStatus(
            Map.of("rule1", 1),
            ProcessState.RUNNING,
            "",
            4242,
            1,
            Instant.parse("2026-12-04T10:00:00Z"),
            "signal: killed");
  }

  private Response send(String method, String path, String body) {
    return body == null
        ? target(path).request().method(method)
        : target(path).request().method(method, Entity.text(body));
  }

  private static void assertAnswer(Response r, int status, String type, String body) {
    assertEquals(status, r.getStatus());
    assertTrue(String.valueOf(r.getMediaType()).startsWith(type), "media type " + r.getMediaType());
    assertEquals(body, r.readEntity(String.class));
  }

  @Test
  void aDryRunAnswersItsPlanAsJsonAndABadDryRunValueIsRefusedInTheErrorShape() {
    String plan =
        "{\"dryRun\":true,\"action\":\"create\",\"type\":\"sinks\",\"name\":\"fake\","
            + "\"added\":[],\"replaced\":[],\"removed\":[],\"installScript\":false,"
            + "\"restartNeeded\":false,\"note\":\"dry run: nothing was changed; install.sh was"
            + " not run and no process was started\"}";
    assertAnswer(
        target("plugins/sinks")
            .queryParam("dryRun", "true")
            .request()
            .post(Entity.text("{\"name\":\"fake\",\"file\":\"http://x/a.zip\"}")),
        200,
        JSON,
        plan);
    for (String method : new String[] {"PUT", "DELETE"}) {
      Response r =
          method.equals("PUT")
              ? target("plugins/portables/fake")
                  .queryParam("dryRun", "maybe")
                  .request()
                  .put(Entity.text("{}"))
              : target("plugins/portables/fake").queryParam("dryRun", "maybe").request().delete();
      assertAnswer(
          r,
          400,
          JSON,
          "{\"error\":1000,\"message\":\"invalid dryRun maybe: expected true or false\"}\n");
    }
  }

  @Test
  void theCompatEndpointsAnswerTheirShapesAndAnUnknownPluginIs404() {
    assertAnswer(
        send("GET", "plugins/compat", null),
        200,
        JSON,
        "{\"check\":\"enforce\",\"engine\":{\"status\":\"not-configured\",\"reason\":"
            + "\"kpm.engine.binary is not set\"},\"incompatible\":0,\"plugins\":[]}");
    assertAnswer(
        send("GET", "plugins/sinks/nothing/compat", null),
        404,
        JSON,
        "{\"error\":1002,\"message\":\"compat of sinks plugin nothing error: not found\"}\n");
    assertEquals(404, send("GET", "plugins/portables/nothing/compat", null).getStatus());
  }

  @Test
  void theInventoryAnswersItsShapeAndABadTypeIs400InTheErrorShape() {
    Instant at = Instant.parse("2026-12-04T10:00:00.123456Z");
    fake.inventory =
        List.of(
            new dev.kpm.plugin.PluginRecordView(
                PluginType.SOURCES,
                "random",
                "v1.0.0",
                dev.kpm.plugin.PluginOrigin.AUTOLOAD,
                null,
                null,
                at,
                at,
                "Random data",
                "ok",
                List.of()));
    fake.installers = Map.of("random", "ops");
    // No principal here (the security filter is the IT tier's): not an admin, so no installedBy;
    // the fake knows no compat verdict, so compat is left out.
    assertAnswer(
        send("GET", "inventory/sources", null),
        200,
        JSON,
        "[{\"name\":\"random\",\"version\":\"v1.0.0\",\"origin\":\"autoload\","
            + "\"sourceUrl\":null,\"sha256\":null,\"installedAt\":\"2026-12-04T10:00:00.123456Z\","
            + "\"updatedAt\":\"2026-12-04T10:00:00.123456Z\",\"description\":\"Random data\","
            + "\"health\":\"ok\"}]");
    assertEquals(List.of("inventory(sources)", "compat(sources,random)"), fake.calls);
    assertAnswer(send("GET", "inventory/portables", null), 200, JSON, "[]");
    assertAnswer(
        send("GET", "inventory/wasm", null),
        400,
        JSON,
        "{\"error\":1000,\"message\":\"unknown plugin type wasm: expected sources, sinks,"
            + " functions or portables\"}\n");
  }

  @Test
  void preferRespondAsyncAnswers202WithTheJobAndItsLocation() {
    Response accepted =
        target("plugins/portables")
            .request()
            .header("Prefer", "wait=5, respond-async")
            .post(Entity.text("{\"name\":\"fake\",\"file\":\"http://x/a.zip\"}"));
    assertEquals("/jobs/7", accepted.getLocation().getPath());
    assertEquals("respond-async", accepted.getHeaderString("Preference-Applied"));
    assertAnswer(
        accepted,
        202,
        JSON,
        "{\"id\":7,\"type\":\"portables\",\"name\":\"fake\",\"operation\":\"create\","
            + "\"state\":\"running\",\"phase\":\"queued\",\"requestedBy\":\"fake\"}");
    assertEquals(200, send("GET", "jobs/7", null).getStatus());
    assertAnswer(
        send("DELETE", "jobs/7", null),
        409,
        JSON,
        "{\"error\":1000,\"message\":\"cannot cancel job 7: it has ended\"}\n");
    assertAnswer(
        send("GET", "jobs/x", null),
        400,
        JSON,
        "{\"error\":1000,\"message\":\"invalid id x: expected a number\"}\n");
  }

  @Test
  void pingAndServerInformationAnswerAsEKuipersDo() {
    Response ping = send("GET", "ping", null);
    assertEquals(200, ping.getStatus());
    assertEquals("", ping.readEntity(String.class));
    Response info = send("GET", "", null);
    assertEquals(200, info.getStatus());
    String body = info.readEntity(String.class);
    assertTrue(
        body.matches(
            "\\{\"version\":\"[^\"]+\",\"os\":\"linux\",\"arch\":\"(amd64|arm64)\","
                + "\"upTimeSeconds\":\\d+\\}"),
        body);
    assertFalse(body.contains("${"), "the version was filled in by the build: " + body);
  }

  @Test
  void readyIs200EmptyWhenReadyAnd503WithTheReasonAndRetryAfterWhenNot() {
    Response ready = send("GET", "ready", null);
    assertEquals(200, ready.getStatus());
    assertEquals("", ready.readEntity(String.class));
    fake.notReady =
        Optional.of(
            "database unavailable: kpm cannot reach its PostgreSQL database; try again later");
    Response down = send("GET", "ready", null);
    assertEquals("5", down.getHeaderString("Retry-After"));
    assertAnswer(
        down,
        503,
        JSON,
        "{\"error\":1000,\"message\":\"database unavailable: kpm cannot reach its PostgreSQL"
            + " database; try again later\"}\n");
    assertEquals(List.of("notReady()", "notReady()"), fake.calls);
  }

  @Test
  void metricsAnswerPrometheusTextAndAStoppedKpmIsNotReady() {
    Response metrics = target("metrics").request().header("Accept", PROMETHEUS_ACCEPT).get();
    assertAnswer(metrics, 200, "text/plain", fake.metricsText);
    // Prometheus' text format 0.0.4 (parameters in any order).
    assertEquals(
        Map.of("version", "0.0.4", "charset", "utf-8"), metrics.getMediaType().getParameters());
    stopped.set(true);
    assertAnswer(
        send("GET", "ready", null),
        503,
        JSON,
        "{\"error\":1000,\"message\":\"kpm is stopped; restart the web application to start it"
            + " again\"}\n");
  }

  /** What Prometheus 2.x and 3.x send when they scrape. */
  private static final String PROMETHEUS_ACCEPT =
      "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;"
          + "q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";

  @Test
  void theAuditEndpointsAnswerTheirShapesAndRefuseBadQueriesInTheErrorShape() {
    dev.kpm.audit.AuditEvent e =
        new dev.kpm.audit.AuditEvent(
            java.time.Instant.parse("2026-12-05T10:00:00Z"),
            "n1",
            "ops",
            "token",
            "10.0.0.1",
            "r1",
            "plugin.create",
            "sinks",
            "x",
            "file:///x.zip",
            "a".repeat(64),
            null,
            "v1",
            "ok",
            201,
            null,
            "=1+1",
            1,
            12L);
    fake.auditEntries =
        List.of(
            new dev.kpm.audit.AuditEntry(2, e, "1".repeat(64), "2".repeat(64)),
            new dev.kpm.audit.AuditEntry(1, e, "0".repeat(64), "1".repeat(64)));
    assertAnswer(
        target("audit").queryParam("limit", 1).request().get(),
        200,
        "application/json",
        "{\"events\":[{\"seq\":2,\"time\":\"2026-12-05T10:00:00Z\",\"node\":\"n1\","
            + "\"subject\":\"ops\",\"method\":\"token\",\"client\":\"10.0.0.1\","
            + "\"requestId\":\"r1\",\"action\":\"plugin.create\",\"type\":\"sinks\","
            + "\"name\":\"x\",\"sourceUrl\":\"file:///x.zip\",\"sha256\":\""
            + "a".repeat(64)
            + "\",\"versionBefore\":null,\"versionAfter\":\"v1\",\"outcome\":\"ok\","
            + "\"status\":201,\"error\":null,\"detail\":\"=1+1\",\"count\":1,"
            + "\"durationMs\":12,\"prevHash\":\""
            + "1".repeat(64)
            + "\",\"hash\":\""
            + "2".repeat(64)
            + "\"}],\"next\":\"2\"}");
    Response csv = send("GET", "audit.csv", null);
    assertEquals(200, csv.getStatus());
    assertEquals(
        "attachment; filename=\"kpm-audit.csv\"", csv.getHeaderString("Content-Disposition"));
    String[] lines = csv.readEntity(String.class).split("\r\n");
    assertEquals(3, lines.length);
    assertTrue(lines[1].contains(",'=1+1,1,12,"), lines[1]);
    assertAnswer(
        send("GET", "audit/verify", null),
        200,
        "application/json",
        "{\"ok\":true,\"checked\":0,\"anchor\":{\"seq\":0,\"hash\":\""
            + "0".repeat(64)
            + "\"},\"head\":{\"seq\":0,\"hash\":\""
            + "0".repeat(64)
            + "\"}}");
    assertAnswer(
        target("audit").queryParam("outcome", "maybe").request().get(),
        400,
        "application/json",
        "{\"error\":1000,\"message\":\"invalid audit query: unknown outcome maybe, expected ok,"
            + " failed or refused\"}\n");
  }

  @Test
  void theTokenEndpointsAnswerJsonAndRefuseInTheErrorShape() {
    Response bad = send("POST", "auth/tokens", "{\"name\":\"x\",\"role\":\"viewer\",\"bad\":1}");
    assertEquals(400, bad.getStatus());
    assertTrue(
        bad.readEntity(String.class).startsWith("{\"error\":1000,\"message\":\"body must be JSON"));
    assertAnswer(send("GET", "auth/tokens", null), 200, JSON, "[]");
    assertAnswer(
        send("DELETE", "auth/tokens/seven", null),
        404,
        JSON,
        "{\"error\":1002,\"message\":\"token seven not found\"}\n");
    // Without the servlet filter there is no caller: the resource refuses rather than guess one.
    Response me = send("GET", "auth/me", null);
    assertEquals(401, me.getStatus());
    assertEquals("Bearer realm=\"kpm\"", me.getHeaderString("WWW-Authenticate"));
  }

  @Test
  void theFleetEndpointsAnswerJsonAndRefuseInTheErrorShape() {
    String b =
        "{\"id\":\"node-b\",\"address\":\"node-b.example\",\"version\":\"1.0.0\",\"os\":\"Linux\","
            + "\"arch\":\"amd64\",\"engine\":null,\"home\":\"/srv/kpm-home\","
            + "\"startedAt\":\"2026-01-01T00:00:00Z\",\"heartbeatAt\":\"2026-01-01T00:00:05Z\","
            + "\"live\":false,\"self\":false,\"appliedGeneration\":0,\"pending\":1,\"failed\":0,"
            + "\"incompatible\":0}";
    Response list = send("GET", "fleet/nodes", null);
    assertEquals(200, list.getStatus());
    assertEquals(JSON, list.getMediaType().toString());
    String nodes = list.readEntity(String.class);
    assertTrue(nodes.startsWith("[{\"id\":\"node-a\","), nodes);
    assertTrue(nodes.endsWith("," + b + "]"), nodes);
    assertAnswer(send("GET", "fleet/nodes/node-b", null), 200, JSON, b);
    assertAnswer(
        send("GET", "fleet/nodes/nobody", null),
        404,
        JSON,
        "{\"error\":1002,\"message\":\"fleet node nobody not found\"}\n");
    assertAnswer(
        send("GET", "fleet/nodes/.x", null),
        400,
        JSON,
        "{\"error\":1000,\"message\":\"invalid fleet node id .x: 1 to 128 letters, digits, '.', '_'"
            + " or '-', starting with a letter or digit\"}\n");
    Response self = send("DELETE", "fleet/nodes/node-a", null);
    assertEquals(409, self.getStatus());
    assertTrue(
        self.readEntity(String.class)
            .startsWith("{\"error\":1000,\"message\":\"fleet node node-a is this node:"));
    assertAnswer(send("DELETE", "fleet/nodes/node-b", null), 200, JSON, b);
    assertAnswer(
        send("DELETE", "fleet/nodes/node-b", null),
        404,
        JSON,
        "{\"error\":1002,\"message\":\"fleet node node-b not found\"}\n");
    fake.failure = () -> new DatabaseUnavailableException("down", new RuntimeException());
    Response down = send("GET", "fleet/nodes", null);
    assertEquals(503, down.getStatus());
    assertEquals("5", down.getHeaderString("Retry-After"));
  }

  private static PluginOnNode onNode(
      String node, boolean live, String state, boolean current, String error, String process) {
    return new PluginOnNode(
        node,
        node + ".example",
        live,
        node.equals("node-a"),
        state,
        state == null ? null : "1.0.0",
        state == null ? null : "ab12",
        current,
        error,
        null,
        state == null ? null : Instant.parse("2026-01-01T00:00:07Z"),
        process);
  }

  @Test
  void thePluginNodesEndpointsAnswerEveryNodesStateAndRefuseInTheErrorShape() {
    fake.pluginNodes.clear();
    fake.pluginNodes.put(
        "sinks/fake",
        List.of(
            onNode("node-a", true, "applied", true, null, "{\"pid\":1}"),
            onNode("node-b", false, "failed", true, "install.sh exited with 1", null)));
    fake.pluginNodes.put(
        "portables/probe", List.of(onNode("node-a", true, "applied", true, null, "{\"pid\":7}")));
    assertAnswer(
        send("GET", "plugins/sinks/fake/nodes", null),
        200,
        JSON,
        "[{\"node\":\"node-a\",\"address\":\"node-a.example\",\"live\":true,\"self\":true,"
            + "\"state\":\"applied\",\"version\":\"1.0.0\",\"sha256\":\"ab12\",\"current\":true,"
            + "\"error\":null,\"output\":null,\"at\":\"2026-01-01T00:00:07Z\",\"process\":null},"
            + "{\"node\":\"node-b\",\"address\":\"node-b.example\",\"live\":false,\"self\":false,"
            + "\"state\":\"failed\",\"version\":\"1.0.0\",\"sha256\":\"ab12\",\"current\":true,"
            + "\"error\":\"install.sh exited with 1\",\"output\":null,"
            + "\"at\":\"2026-01-01T00:00:07Z\",\"process\":null}]");
    assertAnswer(
        send("GET", "plugins/portables/probe/nodes", null),
        200,
        JSON,
        "[{\"node\":\"node-a\",\"address\":\"node-a.example\",\"live\":true,\"self\":true,"
            + "\"state\":\"applied\",\"version\":\"1.0.0\",\"sha256\":\"ab12\",\"current\":true,"
            + "\"error\":null,\"output\":null,\"at\":\"2026-01-01T00:00:07Z\","
            + "\"process\":{\"pid\":7}}]");
    assertEquals(List.of("pluginNodes(sinks,fake)", "pluginNodes(portables,probe)"), fake.calls);
    assertAnswer(
        send("GET", "plugins/sinks/nothing/nodes", null),
        404,
        JSON,
        "{\"error\":1002,\"message\":\"sinks plugin nothing is neither in the fleet's desired"
            + " state nor held by any node\"}\n");
    assertAnswer(
        send("GET", "plugins/portables/nothing/nodes", null),
        404,
        JSON,
        "{\"error\":1002,\"message\":\"portables plugin nothing is neither in the fleet's"
            + " desired state nor held by any node\"}\n");
    assertAnswer(
        send("GET", "plugins/widgets/fake/nodes", null),
        400,
        JSON,
        "{\"error\":1000,\"message\":\"unknown plugin type widgets: expected sources, sinks or"
            + " functions\"}\n");
    assertAnswer(
        send("GET", "plugins/sinks/a.b/nodes", null),
        400,
        JSON,
        "{\"error\":1000,\"message\":\"id 'a.b' contains invalid characters: only"
            + " alphanumeric, hyphens and underscores are allowed\"}\n");
  }

  @Test
  void reconcileAsksALiveNodeAndRefusesADownUnknownOrInvalidOne() {
    assertAnswer(
        send("POST", "fleet/nodes/node-a/reconcile", null),
        200,
        JSON,
        "{\"node\":\"node-a\",\"reconcile\":\"requested\"}");
    assertEquals(List.of("reconcileNode(node-a)"), fake.calls);
    Response down = send("POST", "fleet/nodes/node-b/reconcile", null);
    assertEquals(409, down.getStatus());
    assertTrue(
        down.readEntity(String.class)
            .startsWith(
                "{\"error\":1000,\"message\":\"node node-b is down: it converges when it starts"
                    + " again (last heartbeat 2026-01-01T00:00:05Z)"));
    assertAnswer(
        send("POST", "fleet/nodes/nobody/reconcile", null),
        404,
        JSON,
        "{\"error\":1002,\"message\":\"fleet node nobody not found\"}\n");
    Response invalid = send("POST", "fleet/nodes/.x/reconcile", null);
    assertEquals(400, invalid.getStatus());
    assertTrue(
        invalid
            .readEntity(String.class)
            .startsWith("{\"error\":1000,\"message\":\"invalid fleet node id .x:"));
  }

  @Test
  void waitAllAnswersTheChangeAndEveryLiveNodesStateAsJson() {
    fake.pluginNodes.clear();
    fake.pluginNodes.put(
        "sinks/fake",
        List.of(
            onNode("node-a", true, "applied", true, null, null),
            onNode("node-b", false, "pending", false, null, null),
            onNode("node-c", true, "failed", true, "install.sh exited with 1", null)));
    assertAnswer(
        target("plugins/sinks")
            .queryParam("wait", "all")
            .queryParam("timeout", "PT5S")
            .request()
            .post(Entity.text("{\"name\":\"fake\",\"file\":\"http://x/a.zip\"}")),
        201,
        JSON,
        "{\"message\":\"created sinks\",\"complete\":true,\"nodes\":["
            + "{\"node\":\"node-a\",\"state\":\"applied\",\"error\":null},"
            + "{\"node\":\"node-c\",\"state\":\"failed\",\"error\":\"install.sh exited with"
            + " 1\"}]}");
    // Not settled when the timeout runs out: complete false, the node shown pending.
    fake.pluginNodes.put(
        "sinks/fake", List.of(onNode("node-a", true, "applied", true, null, null)));
    assertAnswer(
        target("plugins/sinks/fake")
            .queryParam("wait", "all")
            .queryParam("timeout", "0")
            .request()
            .delete(),
        200,
        JSON,
        "{\"message\":\"dropped fake\",\"complete\":false,\"nodes\":["
            + "{\"node\":\"node-a\",\"state\":\"pending\",\"error\":null}]}");
    fake.pluginNodes.put(
        "portables/probe", List.of(onNode("node-a", true, "removed", true, null, null)));
    assertAnswer(
        target("plugins/portables/probe").queryParam("wait", "all").request().delete(),
        200,
        JSON,
        "{\"message\":\"dropped portable probe\",\"complete\":true,\"nodes\":["
            + "{\"node\":\"node-a\",\"state\":\"removed\",\"error\":null}]}");
    // Without wait the answer is eKuiper's text, as before.
    assertAnswer(send("PUT", "plugins/sinks/fake", "{b}"), 200, "text/plain", "updated fake");
  }

  @Test
  void aBadWaitOrTimeoutIsRefusedBeforeAnythingChanges() {
    String[][] bad = {
      {"wait", "some", null, null, "invalid wait some: expected all"},
      {
        "wait",
        "all",
        "timeout",
        "soon",
        "invalid timeout soon: expected seconds (e.g. 90) or an"
            + " ISO-8601 duration (e.g. PT90S), at most 600 seconds"
      },
      {
        "wait",
        "all",
        "timeout",
        "601",
        "invalid timeout 601: expected seconds (e.g. 90) or an"
            + " ISO-8601 duration (e.g. PT90S), at most 600 seconds"
      },
      {
        "wait",
        "all",
        "timeout",
        "-PT1S",
        "invalid timeout -PT1S: expected seconds (e.g. 90) or an"
            + " ISO-8601 duration (e.g. PT90S), at most 600 seconds"
      },
      {"timeout", "5", null, null, "timeout 5 needs wait=all"},
      {
        "wait",
        "all",
        "dryRun",
        "true",
        "wait=all cannot be combined with dryRun=true: a dry run" + " changes nothing to wait for"
      },
    };
    for (String[] b : bad) {
      var t = target("plugins/sinks").queryParam(b[0], b[1]);
      if (b[2] != null) {
        t = t.queryParam(b[2], b[3]);
      }
      assertAnswer(
          t.request().post(Entity.text("{\"name\":\"fake\",\"file\":\"http://x/a.zip\"}")),
          400,
          JSON,
          "{\"error\":1000,\"message\":\"" + b[4] + "\"}\n");
      var d = target("plugins/portables/fake").queryParam(b[0], b[1]);
      if (b[2] != null) {
        d = d.queryParam(b[2], b[3]);
      }
      assertEquals(400, d.request().delete().getStatus(), String.join(" ", b));
    }
    assertAnswer(
        target("plugins/sinks")
            .queryParam("wait", "all")
            .request()
            .header("Prefer", "respond-async")
            .post(Entity.text("{\"name\":\"fake\",\"file\":\"http://x/a.zip\"}")),
        400,
        JSON,
        "{\"error\":1000,\"message\":\"wait=all cannot be combined with Prefer: respond-async:"
            + " follow the job, then GET /plugins/{type}/{name}/nodes\"}\n");
    assertEquals(List.of(), fake.calls, "nothing was asked of the services");
  }

  @Test
  void nativeReadsAnswerJsonFromTheRegistry() {
    assertAnswer(send("GET", "plugins/sources", null), 200, JSON, "[\"random\"]");
    assertAnswer(
        send("GET", "plugins/sources/random", null),
        200,
        JSON,
        "{\"name\":\"random\",\"version\":\"1.0.0\"}");
    assertAnswer(
        send("GET", "plugins/functions/echo2", null),
        200,
        JSON,
        "{\"functions\":[\"echo2\"],\"name\":\"echo2\",\"version\":\"\"}");
    assertAnswer(send("GET", "plugins/udfs", null), 200, JSON, "[\"echo2\"]");
    assertAnswer(
        send("GET", "plugins/udfs/echo2", null),
        200,
        JSON,
        "{\"name\":\"echo2\",\"plugin\":\"echo2\"}");
    assertAnswer(
        send("GET", "plugins/sinks/prebuild", null),
        200,
        JSON,
        "{\"random\":\"https://example.com/sinks/random.zip\"}");
  }

  @Test
  void nativeChangesAnswerTextWithEKuipersStatuses() {
    assertAnswer(send("POST", "plugins/sinks", "{body}"), 201, "text/plain", "created sinks");
    assertAnswer(send("PUT", "plugins/sinks/x", "{b}"), 200, "text/plain", "updated x");
    assertAnswer(send("DELETE", "plugins/sinks/x", null), 200, "text/plain", "dropped x");
    assertAnswer(
        target("plugins/sinks/x").queryParam("stop", 1).request().delete(),
        200,
        "text/plain",
        "dropped x");
    assertAnswer(
        send("POST", "plugins/functions/echo2/register", "{\"functions\":[]}"),
        200,
        "text/plain",
        "registered echo2");
    assertEquals(
        List.of(
            "create(sinks,{body})",
            "update(sinks,x,{b})",
            "drop(sinks,x,false)",
            "drop(sinks,x,true)",
            "register(echo2,{\"functions\":[]})"),
        fake.calls);
  }

  @Test
  void metadataReadsAnswerThePluginJsonAndEkuipersCatalogueShapes(@TempDir Path dir)
      throws Exception {
    fake.metas.put("sources/random", "{\"about\":{\"trial\":true}}".getBytes(UTF_8));
    fake.metas.put(
        "portables/probe",
        "{\"sources\":{\"counter\":null},\"sinks\":{},\"functions\":{}}".getBytes(UTF_8));
    Path random = Files.writeString(dir.resolve("random.json"), "{\"about\":{\"trial\":true}}");
    Path geo = Files.writeString(dir.resolve("geo.json"), "{\"functions\":[{\"name\":\"geo\"}]}");
    fake.catalogue.put(
        PluginType.SOURCES, List.of(new PluginMetadata.Entry("random", "native", random)));
    fake.catalogue.put(
        PluginType.FUNCTIONS, List.of(new PluginMetadata.Entry("geo", "native", geo)));
    try {
      assertAnswer(
          send("GET", "plugins/sources/random/meta", null),
          200,
          JSON,
          "{\"about\":{\"trial\":true}}");
      assertAnswer(
          send("GET", "plugins/portables/probe/meta", null),
          200,
          JSON,
          "{\"sources\":{\"counter\":null},\"sinks\":{},\"functions\":{}}");
      assertAnswer(
          send("GET", "plugins/sinks/nope/meta", null),
          404,
          JSON,
          "{\"error\":1002,\"message\":\"metadata of sinks plugin nope error: not found\"}\n");
      String about =
          "{\"trial\":true,\"installed\":true,\"author\":null,\"helpUrl\":null,"
              + "\"description\":null}";
      assertAnswer(
          send("GET", "metadata/sources", null),
          200,
          JSON,
          "[{\"name\":\"random\",\"about\":" + about + ",\"type\":\"native\"}]");
      assertAnswer(send("GET", "metadata/sinks", null), 200, JSON, "[]");
      assertAnswer(
          send("GET", "metadata/functions", null),
          200,
          JSON,
          "[{\"functions\":[{\"name\":\"geo\"}]}]");
      assertAnswer(
          send("GET", "metadata/sources/random", null),
          200,
          JSON,
          "{\"about\":"
              + about
              + ",\"libs\":null,\"properties\":{},\"node\":null,"
              + "\"type\":\"native\"}");
      assertAnswer(
          send("GET", "metadata/sinks/random", null),
          400,
          JSON,
          "{\"error\":5000,\"message\":\"This plugin was not found:random\"}\n");
      assertAnswer(
          target("metadata/sources/mqtt").request().header("Content-Language", "zh-CN").get(),
          400,
          JSON,
          "{\"error\":5000,\"message\":\"没有找到这个插件：mqtt\"}\n");
    } finally {
      fake.metas.clear();
      fake.catalogue.clear();
    }
  }

  @Test
  void theVerifiedPrebuildListingIsKpmsAndABadValueIsRefusedInTheErrorShape() {
    assertAnswer(
        target("plugins/sinks/prebuild").queryParam("verified", "true").request().get(),
        200,
        JSON,
        "{}");
    assertAnswer(
        target("plugins/sinks/prebuild").queryParam("verified", "false").request().get(),
        200,
        JSON,
        "{\"random\":\"https://example.com/sinks/random.zip\"}");
    assertAnswer(
        target("plugins/sinks/prebuild").queryParam("verified", "yes").request().get(),
        400,
        JSON,
        "{\"error\":1000,\"message\":\"invalid verified yes: expected true or false\"}\n");
    assertEquals(List.of("verifiedPrebuild(sinks)", "prebuild(sinks)"), fake.calls);
  }

  @Test
  void nativeExtensionsAnswerJson() {
    assertAnswer(send("GET", "plugins/sources/random/installs", null), 200, JSON, "[]");
    assertAnswer(
        send("GET", "plugins/sources/random/health", null),
        200,
        JSON,
        "{\"name\":\"random\",\"status\":\"ok\",\"files\":[\"plugins/x.so\"],\"missing\":[]}");
  }

  @Test
  void portableEndpointsAnswerEKuipersShapesWithKpmsStatus() {
    String status =
        "\"refCount\":{\"rule1\":1},\"status\":\"running\",\"errMsg\":\"\",\"pid\":4242,"
            + "\"restarts\":1,\"startedAt\":\"2026-12-04T10:00:00Z\",\"lastExit\":\"signal: killed\"";
    String info =
        "\"name\":\"probe\",\"version\":\"v1.0.0\",\"language\":\"go\","
            + "\"executable\":\"/home/plugins/portable/probe/probe\",\"sources\":[\"counter\"],"
            + "\"sinks\":null,\"functions\":null";
    assertAnswer(send("GET", "plugins/portables", null), 200, JSON, "[{" + info + "}]");
    assertAnswer(
        send("GET", "plugins/portables/probe", null), 200, JSON, "{" + info + "," + status + "}");
    assertAnswer(
        send("GET", "plugins/portables/probe/status", null), 200, JSON, "{" + status + "}");
    assertAnswer(send("POST", "plugins/portables", "{p}"), 201, "text/plain", "created portable");
    assertAnswer(
        send("PUT", "plugins/portables/probe", "{p}"), 200, "text/plain", "updated portable probe");
    assertAnswer(
        send("DELETE", "plugins/portables/probe", null),
        200,
        "text/plain",
        "dropped portable probe");
    assertAnswer(
        send("GET", "plugins/portables/probe/output", null), 200, "text/plain", "probe: line\n");
    assertAnswer(send("GET", "plugins/portables/probe/installs", null), 200, JSON, "[]");
  }

  @Test
  void theSymbolApiAnswersJson() {
    fake.tuples = List.of("{\"message\":{\"seq\":1}}", "not json");
    assertAnswer(
        send("POST", "plugins/portables/probe/symbols/start", "{c}"),
        200,
        JSON,
        "{\"refCount\":{\"rule1\":1},\"status\":\"running\",\"errMsg\":\"\",\"pid\":4242,"
            + "\"restarts\":1,\"startedAt\":\"2026-12-04T10:00:00Z\",\"lastExit\":\"signal: killed\"}");
    assertEquals(200, send("POST", "plugins/portables/probe/symbols/stop", "{c}").getStatus());
    assertAnswer(
        send("POST", "plugins/portables/probe/symbols/functions/echo", "{f}"),
        200,
        JSON,
        "{\"state\":true,\"result\":\"abc\"}");
    assertAnswer(
        target("plugins/portables/probe/symbols/sources/r_o_0")
            .queryParam("count", 2)
            .request()
            .get(),
        200,
        JSON,
        "[{\"message\":{\"seq\":1}},\"not json\"]");
    assertAnswer(
        send("POST", "plugins/portables/probe/symbols/sinks/r_o_0", "{d}"), 200, JSON, "{}");
    fake.ack = Optional.of("{}");
    assertAnswer(
        target("plugins/portables/probe/symbols/sinks/r_o_0")
            .queryParam("ack", true)
            .request()
            .post(Entity.text("{d}")),
        200,
        JSON,
        "{\"ack\":{}}");
    assertTrue(fake.calls.contains("read(probe,r_o_0,2)"), fake.calls.toString());
    assertTrue(fake.calls.contains("write(probe,r_o_0,{d},true)"), fake.calls.toString());
  }

  @Test
  void uploadsAnswerThePathAsTextTheListAsJsonAndOk() {
    Response form =
        target("config/uploads")
            .request()
            .post(Entity.entity("--b--", "multipart/form-data; boundary=b"));
    assertAnswer(form, 201, "text/plain", "/home/data/uploads/form");
    assertAnswer(
        target("config/uploads").request().post(Entity.json("{}")),
        201,
        "text/plain",
        "/home/data/uploads/json");
    assertEquals(List.of("saveForm(multipart/form-data;boundary=b)", "saveJson()"), fake.calls);
    assertAnswer(
        send("GET", "config/uploads", null),
        200,
        JSON,
        "[\"/home/data/uploads/form\",\"/home/data/uploads/json\"]");
    assertAnswer(send("DELETE", "config/uploads/form", null), 200, "text/plain", "ok");
    assertAnswer(
        send("DELETE", "config/uploads/form", null),
        404,
        JSON,
        "{\"error\":1002,\"message\":\"Error deleting the file: removeat form: no such file or"
            + " directory\"}\n");
    fake.failure =
        () -> UploadException.tooLarge("request body larger than 5 bytes (kpm.uploads.maxBytes)");
    assertAnswer(
        target("config/uploads").request().post(Entity.entity("--b--", "multipart/form-data")),
        413,
        JSON,
        "{\"error\":1000,\"message\":\"request body larger than 5 bytes"
            + " (kpm.uploads.maxBytes)\"}\n");
  }

  @Test
  void theUploadedPathIsHtmlEscapedAndTheListEscapedAsGoEscapesJson() {
    assertEquals(
        "/u/a&#39;b&amp;c&lt;d&gt;&#34;\uFFFD", UploadsResource.htmlEscape("/u/a'b&c<d>\"\0"));
    assertEquals("[\"/u/a\\u0026b\\u003cc\\u003e\"]", UploadsResource.goJson("[\"/u/a&b<c>\"]"));
  }

  @Test
  void aRefusalIs400AndNotFoundIs404InTheErrorShape() {
    fake.failure = () -> PluginException.invalid("sources plugins create command error: bad");
    assertAnswer(
        send("POST", "plugins/sources", "{}"),
        400,
        JSON,
        "{\"error\":1000,\"message\":\"sources plugins create command error: bad\"}\n");
    fake.failure = () -> PluginException.notFound("portable plugin x not found: not found");
    assertAnswer(
        send("GET", "plugins/portables/x/status", null),
        404,
        JSON,
        "{\"error\":1002,\"message\":\"portable plugin x not found: not found\"}\n");
  }

  @Test
  void aDatabaseOutageIs503WithRetryAfterOnEveryKindOfEndpoint() {
    fake.failure = () -> new DatabaseUnavailableException("down", new RuntimeException());
    String body =
        "{\"error\":1000,\"message\":\"database unavailable: kpm cannot reach its PostgreSQL"
            + " database; try again later\"}\n";
    for (String[] call :
        List.of(
            new String[] {"GET", "plugins/sources"},
            new String[] {"POST", "plugins/sinks"},
            new String[] {"DELETE", "plugins/functions/f"},
            new String[] {"GET", "plugins/portables"},
            new String[] {"POST", "plugins/portables/p/symbols/start"})) {
      Response r =
          send(call[0], call[1], call[0].equals("GET") || call[0].equals("DELETE") ? null : "{}");
      assertEquals("5", r.getHeaderString("Retry-After"), call[1]);
      assertAnswer(r, 503, JSON, body);
    }
  }

  @Test
  void anUnexpectedFailureIs500WithAReferenceAndNoInternals() {
    fake.failure = () -> new IllegalStateException("SELECT secret FROM somewhere");
    Response r = send("GET", "plugins/sources", null);
    assertEquals(500, r.getStatus());
    String body = r.readEntity(String.class);
    assertTrue(
        body.matches(
            "\\{\"error\":1000,\"message\":\"internal error, reference [0-9a-f-]{36} in the kpm log\"}\n"),
        body);
  }

  @Test
  void unknownPathsWrongMethodsAndUnacceptableTypesGetTheEnvelope() {
    assertAnswer(
        send("GET", "plugins/wasm", null),
        404,
        JSON,
        "{\"error\":1002,\"message\":\"404 page not found\"}\n");
    assertAnswer(
        send("GET", "plugins/sources/", null),
        404,
        JSON,
        "{\"error\":1002,\"message\":\"404 page not found\"}\n");
    Response wrong = send("PATCH", "plugins/sources/x", "{}");
    assertEquals("DELETE,GET,OPTIONS,PUT", wrong.getHeaderString("Allow"));
    assertAnswer(wrong, 405, JSON, "{\"error\":1000,\"message\":\"405 method not allowed\"}\n");
    assertAnswer(
        target("plugins/sources").request("text/plain").get(),
        406,
        JSON,
        "{\"error\":1000,\"message\":\"406 not acceptable\"}\n");
    assertEquals(List.of(), fake.calls, "no service was called");
  }

  @Test
  void aStoppedKpmAnswers503ToEverything() {
    stopped.set(true);
    assertAnswer(
        send("GET", "plugins/sources", null),
        503,
        JSON,
        "{\"error\":1000,\"message\":\"kpm is stopped; restart the web application to start it"
            + " again\"}\n");
    assertEquals(List.of(), fake.calls);
  }
}
