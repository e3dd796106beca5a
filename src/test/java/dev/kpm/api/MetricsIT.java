package dev.kpm.api;

import static dev.kpm.api.NativeTestSupport.assertText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.testing.ApiTest;
import dev.kpm.testing.Await;
import dev.kpm.testing.EmbeddedTomcat;
import dev.kpm.testing.FixtureServer;
import dev.kpm.testing.TestPlugins;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} of a real kpm after real changes: the install timer by type, action and
 * outcome, the bytes the downloader fetched, the request timer by route template, the jobs in
 * flight back at zero, and the database pool and JVM meters (docs/api.md §8.13).
 */
class MetricsIT extends ApiTest {
  private FixtureServer server;

  @BeforeAll
  void startFixtureServer() {
    server = new FixtureServer(fixtures);
  }

  @AfterAll
  void stopFixtureServer() {
    server.close();
  }

  private Response post(String type, String json) {
    return target("plugins/" + type)
        .request()
        .post(Entity.entity(json, MediaType.APPLICATION_JSON));
  }

  private String scrape() {
    Response r = target("metrics").request().get();
    assertEquals(200, r.getStatus());
    assertEquals(Map.of("version", "0.0.4", "charset", "utf-8"), r.getMediaType().getParameters());
    return r.readEntity(String.class);
  }

  private static double sample(String text, String name, String labels) {
    Matcher m =
        Pattern.compile(
                "(?m)^"
                    + Pattern.quote(name + (labels.isEmpty() ? "" : "{" + labels + "}"))
                    + " (\\S+)$")
            .matcher(text);
    assertTrue(m.find(), () -> "no sample " + name + "{" + labels + "} in\n" + text);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void anInstallAFailedInstallAndADropShowInTheInstallTimerDownloadsRequestsAndPool()
      throws Exception {
    Path zip = TestPlugins.zip("source-complete", fixtures);
    assertText(
        post(
            "sources",
            "{\"name\":\"random\",\"file\":\"" + server.url("source-complete.zip") + "\"}"),
        201,
        "sources plugin random is created");
    assertEquals(
        400,
        post("sinks", "{\"name\":\"gone\",\"file\":\"" + server.url("missing.zip") + "\"}")
            .getStatus());
    assertEquals(200, target("plugins/sources/random").request().delete().getStatus());

    String text = scrape();
    String created = "action=\"plugin.create\",outcome=\"ok\",type=\"sources\"";
    assertEquals(1, sample(text, "kpm_installs_seconds_count", created));
    assertTrue(sample(text, "kpm_installs_seconds_sum", created) > 0, "a duration was recorded");
    assertEquals(1, sample(text, "kpm_installs_seconds_bucket", created + ",le=\"+Inf\""));
    assertEquals(
        1,
        sample(
            text,
            "kpm_installs_seconds_count",
            "action=\"plugin.create\",outcome=\"failed\",type=\"sinks\""));
    assertEquals(
        1,
        sample(
            text,
            "kpm_installs_seconds_count",
            "action=\"plugin.delete\",outcome=\"ok\",type=\"sources\""));
    assertEquals(0, sample(text, "kpm_jobs_in_flight", ""), "every change has ended");
    assertEquals(Files.size(zip), sample(text, "kpm_download_bytes_total", "scheme=\"http\""), 0.0);

    String created2xx = "method=\"POST\",route=\"/plugins/{type}\",status=\"2xx\"";
    assertTrue(sample(text, "kpm_http_requests_seconds_count", created2xx) >= 1);
    assertEquals(
        1,
        sample(
            text,
            "kpm_http_requests_seconds_count",
            "method=\"POST\",route=\"/plugins/{type}\",status=\"4xx\""));
    assertEquals(
        1,
        sample(
            text,
            "kpm_http_requests_seconds_count",
            "method=\"DELETE\",route=\"/plugins/{type}/{name}\",status=\"2xx\""));
    assertTrue(!text.contains("route=\"/plugins/sources/random\""), "never a raw path");

    assertEquals(4, sample(text, "kpm_db_pool_max_connections", ""), "kpm.db.poolSize");
    assertTrue(sample(text, "kpm_db_pool_connections", "state=\"total\"") >= 1);
    assertEquals(0, sample(text, "kpm_portable_processes", "status=\"running\""));
    for (String jvm :
        List.of(
            "jvm_memory_used_bytes{",
            "jvm_gc_",
            "jvm_threads_live_threads",
            "jvm_classes_loaded_classes",
            "process_cpu_usage",
            "process_uptime_seconds")) {
      assertTrue(text.contains("\n" + jvm), "JVM meter " + jvm);
    }
  }

  @Test
  void anAsynchronousInstallIsTimedWhenItsJobEndsAndLeavesNothingInFlight() throws Exception {
    Path zip = TestPlugins.zip("function-two-symbols", fixtures);
    Response accepted =
        target("plugins/functions")
            .request()
            .header("Prefer", "respond-async")
            .post(
                Entity.entity(
                    "{\"name\":\"echo2\",\"file\":\"file://"
                        + zip
                        + "\",\"functions\":[\"echo2\",\"echo3\"]}",
                    MediaType.APPLICATION_JSON));
    assertEquals(202, accepted.getStatus(), accepted.readEntity(String.class));
    String created = "action=\"plugin.create\",outcome=\"ok\",type=\"functions\"";
    Await.until(
        () ->
            "the job's end is timed: "
                + scrape()
                    .lines()
                    .filter(
                        l -> l.startsWith("kpm_installs_seconds_count") || l.startsWith("kpm_jobs"))
                    .toList()
                + " "
                + target("jobs").request().get(String.class),
        Await.LONG,
        () -> scrape().contains("\nkpm_installs_seconds_count{" + created + "} 1\n"));
    assertEquals(0, sample(scrape(), "kpm_jobs_in_flight", ""), "the job has ended");
    assertEquals(
        Files.size(zip), sample(scrape(), "kpm_download_bytes_total", "scheme=\"file\""), 0.0);
  }

  /**
   * Payara Micro adds its MicroProfile Metrics servlet at {@code /metrics/*} to a root application
   * before kpm mounts; a prefix mapping beats kpm's {@code /*}, so kpm maps {@code /metrics}
   * exactly.
   */
  @Test
  void aContainerServletMappedAtMetricsSlashStarDoesNotShadowKpmsMetrics() {
    try (EmbeddedTomcat container =
        EmbeddedTomcat.start(
            context -> {
              context
                  .addServlet(
                      "container-metrics",
                      new HttpServlet() {
                        @Override
                        protected void doGet(HttpServletRequest req, HttpServletResponse res)
                            throws java.io.IOException {
                          res.getWriter().write("the container's metrics");
                        }
                      })
                  .addMapping("/metrics/*");
              kpm.runtime().mount(context);
            })) {
      HttpResponse<String> metrics = container.send("GET", "metrics", null);
      assertEquals(200, metrics.statusCode(), metrics.body());
      assertTrue(metrics.body().contains("\nkpm_jobs_in_flight "), metrics.body());
      assertEquals("", container.get("ping"), "every other path still reaches kpm");
    }
  }

  @Test
  void theScrapeItselfIsTimedUnderItsRouteAndReadyAnswers200WithoutACredential() {
    scrape();
    String text = scrape();
    assertTrue(
        sample(
                text,
                "kpm_http_requests_seconds_count",
                "method=\"GET\",route=\"/metrics\",status=\"2xx\"")
            >= 1);
    Response ready = target("ready").request().get();
    assertEquals(200, ready.getStatus());
    assertEquals("", ready.readEntity(String.class));
  }
}
