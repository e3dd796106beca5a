package dev.kpm.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus names, types and tags docs/api.md §8.13 promises, from a registry fed through the
 * hooks the wiring calls; and that every tag value stays within its bounded set.
 */
class KpmMetricsTest {
  private static final Set<String> TYPES = Set.of("sources", "sinks", "functions", "portables");

  /** The value of the sample line {@code name{labels}} (labels in the exposition's order). */
  static double sample(String text, String name, String labels) {
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
  void anEndedPluginChangeIsTimedByTypeActionAndOutcomeAndLeavesTheJobsInFlight() {
    try (KpmMetrics metrics = new KpmMetrics(TYPES)) {
      metrics.changeStarted("plugin.create");
      metrics.changeStarted("plugin.update");
      assertEquals(2, sample(metrics.scrape(), "kpm_jobs_in_flight", ""));
      metrics.changeEnded(
          "plugin.create", "plugin.create", "sources", "ok", Duration.ofMillis(1500));
      metrics.changeEnded("plugin.update", "plugin.dry-run", "sinks", "ok", Duration.ofMillis(3));
      String text = metrics.scrape();
      assertEquals(0, sample(text, "kpm_jobs_in_flight", ""));
      String tags = "action=\"plugin.create\",outcome=\"ok\",type=\"sources\"";
      assertEquals(1, sample(text, "kpm_installs_seconds_count", tags));
      assertEquals(1.5, sample(text, "kpm_installs_seconds_sum", tags));
      assertEquals(0, sample(text, "kpm_installs_seconds_bucket", tags + ",le=\"1.0\""));
      assertEquals(1, sample(text, "kpm_installs_seconds_bucket", tags + ",le=\"2.0\""));
      assertTrue(text.contains("# TYPE kpm_installs_seconds histogram"), text);
      assertFalse(text.contains("plugin.dry-run"), "a dry run is no install");
    }
  }

  @Test
  void unboundedTagValuesAreFoldedIntoOther() {
    try (KpmMetrics metrics = new KpmMetrics(TYPES)) {
      metrics.changeStarted("plugin.create");
      metrics.changeEnded(
          "plugin.create", "plugin.create", "wasm-1234", "weird", Duration.ofMillis(1));
      metrics.requestServed(null, "BREW", 999, 1_000);
      metrics.downloaded("ftp", 10);
      String text = metrics.scrape();
      sample(
          text,
          "kpm_installs_seconds_count",
          "action=\"plugin.create\",outcome=\"other\",type=\"other\"");
      sample(
          text,
          "kpm_http_requests_seconds_count",
          "method=\"other\",route=\"other\",status=\"other\"");
      assertEquals(10, sample(text, "kpm_download_bytes_total", "scheme=\"other\""));
    }
  }

  @Test
  void downloadsRestartsCallsRequestsProcessesAndThePoolHaveTheirDocumentedNames() {
    try (KpmMetrics metrics = new KpmMetrics(TYPES)) {
      metrics.downloaded("https", 1000);
      metrics.downloaded("HTTPS", 24);
      metrics.portableRestarted("probe", true);
      metrics.portableRestarted("probe", false);
      metrics.portableCrashLoop("probe");
      metrics.functionCalled("probe", "echo", true, 2_000_000);
      metrics.requestServed("/plugins/{type}/{name}", "get", 404, 3_000_000);
      metrics.portableProcesses(
          List.of("initializing", "running", "error", "stop"), () -> Map.of("running", 2L));
      metrics.databasePool(
          () ->
              new KpmMetrics.Pool() {
                public int active() {
                  return 1;
                }

                public int idle() {
                  return 2;
                }

                public int total() {
                  return 3;
                }

                public int pending() {
                  return 0;
                }

                public int max() {
                  return 4;
                }
              });
      String text = metrics.scrape();
      assertEquals(1024, sample(text, "kpm_download_bytes_total", "scheme=\"https\""));
      assertEquals(
          1, sample(text, "kpm_portable_restarts_total", "outcome=\"ok\",plugin=\"probe\""));
      assertEquals(
          1, sample(text, "kpm_portable_restarts_total", "outcome=\"failed\",plugin=\"probe\""));
      assertEquals(1, sample(text, "kpm_portable_crash_loops_total", "plugin=\"probe\""));
      assertEquals(
          0.002,
          sample(
              text,
              "kpm_portable_function_calls_seconds_sum",
              "function=\"echo\",outcome=\"ok\",plugin=\"probe\""));
      assertEquals(
          1,
          sample(
              text,
              "kpm_http_requests_seconds_count",
              "method=\"GET\",route=\"/plugins/{type}/{name}\",status=\"4xx\""));
      assertEquals(2, sample(text, "kpm_portable_processes", "status=\"running\""));
      assertEquals(0, sample(text, "kpm_portable_processes", "status=\"error\""));
      assertEquals(1, sample(text, "kpm_db_pool_connections", "state=\"active\""));
      assertEquals(2, sample(text, "kpm_db_pool_connections", "state=\"idle\""));
      assertEquals(3, sample(text, "kpm_db_pool_connections", "state=\"total\""));
      assertEquals(0, sample(text, "kpm_db_pool_connections", "state=\"pending\""));
      assertEquals(4, sample(text, "kpm_db_pool_max_connections", ""));
      for (String jvm :
          List.of(
              "jvm_memory_used_bytes",
              "jvm_threads_live_threads",
              "jvm_classes_loaded_classes",
              "system_cpu_count",
              "process_uptime_seconds")) {
        assertTrue(text.contains("\n" + jvm), "JVM metric " + jvm);
      }
    }
  }

  @Test
  void gaugesFedByLambdasStillReadAfterAGarbageCollection() {
    try (KpmMetrics metrics = new KpmMetrics(TYPES)) {
      Long three = Long.valueOf(3); // captured: a new supplier object, referenced by nobody else
      metrics.portableProcesses(List.of("running"), () -> Map.of("running", three));
      for (int i = 0; i < 3; i++) {
        System.gc();
      }
      assertEquals(3, sample(metrics.scrape(), "kpm_portable_processes", "status=\"running\""));
    }
  }

  @Test
  void aSuppliedJobCountReplacesTheCountOfOpenChanges() {
    try (KpmMetrics metrics = new KpmMetrics(TYPES)) {
      metrics.changeStarted("plugin.delete");
      metrics.jobsInFlight(() -> 7);
      assertEquals(7, sample(metrics.scrape(), "kpm_jobs_in_flight", ""));
    }
  }
}
