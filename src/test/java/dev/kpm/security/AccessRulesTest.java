package dev.kpm.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kpm.KpmApplication;
import dev.kpm.security.AccessRules.Need;
import dev.kpm.testing.Endpoints;
import dev.kpm.testing.FakeServices;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The role of every endpoint kpm serves, written out once more here, independently of {@link
 * AccessRules}: an endpoint added without a row in this table — or without an explicit rule in
 * {@link AccessRules} — fails the build, and so does a rule that grants another role than this
 * table (docs/api.md §10.3).
 */
class AccessRulesTest {
  static final Map<String, Need> EXPECTED =
      new TreeMap<>(
          Map.ofEntries(
              Map.entry("GET /", Need.PUBLIC),
              Map.entry("GET /ping", Need.PUBLIC),
              Map.entry("GET /ready", Need.PUBLIC),
              Map.entry("GET /metrics", Need.VIEWER),
              Map.entry("GET /openapi.json", Need.PUBLIC),
              Map.entry("GET /openapi.yaml", Need.PUBLIC),
              Map.entry("GET /auth/me", Need.VIEWER),
              Map.entry("GET /audit", Need.ADMIN),
              Map.entry("GET /audit.csv", Need.ADMIN),
              Map.entry("GET /audit/verify", Need.ADMIN),
              Map.entry("GET /fleet/nodes", Need.VIEWER),
              Map.entry("GET /fleet/nodes/{id}", Need.VIEWER),
              Map.entry("DELETE /fleet/nodes/{id}", Need.ADMIN),
              Map.entry("POST /fleet/nodes/{id}/reconcile", Need.ADMIN),
              Map.entry("GET /plugins/{type}/{name}/nodes", Need.VIEWER),
              Map.entry("GET /plugins/portables/{name}/nodes", Need.VIEWER),
              Map.entry("GET /auth/tokens", Need.ADMIN),
              Map.entry("POST /auth/tokens", Need.ADMIN),
              Map.entry("DELETE /auth/tokens/{id}", Need.ADMIN),
              Map.entry("GET /config/uploads", Need.ADMIN),
              Map.entry("POST /config/uploads", Need.ADMIN),
              Map.entry("DELETE /config/uploads/{name}", Need.ADMIN),
              Map.entry("GET /plugins/{type}", Need.VIEWER),
              Map.entry("POST /plugins/{type}", Need.ADMIN),
              Map.entry("GET /plugins/{type}/prebuild", Need.VIEWER),
              // eKuiper routes only GET …/prebuild to the catalogue: these change a plugin so
              // named.
              Map.entry("PUT /plugins/{type}/prebuild", Need.ADMIN),
              Map.entry("DELETE /plugins/{type}/prebuild", Need.ADMIN),
              Map.entry("GET /plugins/{type}/{name}", Need.VIEWER),
              Map.entry("PUT /plugins/{type}/{name}", Need.ADMIN),
              Map.entry("DELETE /plugins/{type}/{name}", Need.ADMIN),
              Map.entry("GET /plugins/{type}/{name}/installs", Need.VIEWER),
              Map.entry("GET /plugins/{type}/{name}/health", Need.VIEWER),
              Map.entry("GET /plugins/{type}/{name}/compat", Need.VIEWER),
              Map.entry("GET /plugins/compat", Need.VIEWER),
              Map.entry("GET /inventory/{type}", Need.VIEWER),
              Map.entry("GET /data/export", Need.ADMIN),
              Map.entry("POST /data/import", Need.ADMIN),
              Map.entry("GET /data/import/status", Need.ADMIN),
              Map.entry("GET /jobs", Need.VIEWER),
              Map.entry("GET /events", Need.VIEWER),
              Map.entry("GET /jobs/{id}", Need.VIEWER),
              Map.entry("DELETE /jobs/{id}", Need.ADMIN),
              Map.entry("GET /plugins/{type}/{name}/meta", Need.VIEWER),
              Map.entry("GET /plugins/portables/{name}/meta", Need.VIEWER),
              Map.entry("GET /metadata/sources", Need.VIEWER),
              Map.entry("GET /metadata/sinks", Need.VIEWER),
              Map.entry("GET /metadata/functions", Need.VIEWER),
              Map.entry("GET /metadata/sources/{name}", Need.VIEWER),
              Map.entry("GET /metadata/sinks/{name}", Need.VIEWER),
              Map.entry("POST /plugins/functions/{name}/register", Need.ADMIN),
              Map.entry("GET /plugins/udfs", Need.VIEWER),
              Map.entry("GET /plugins/udfs/{name}", Need.VIEWER),
              Map.entry("GET /plugins/portables", Need.VIEWER),
              Map.entry("POST /plugins/portables", Need.ADMIN),
              Map.entry("GET /plugins/portables/{name}", Need.VIEWER),
              Map.entry("PUT /plugins/portables/{name}", Need.ADMIN),
              Map.entry("DELETE /plugins/portables/{name}", Need.ADMIN),
              Map.entry("GET /plugins/portables/{name}/installs", Need.VIEWER),
              Map.entry("GET /plugins/portables/{name}/output", Need.VIEWER),
              Map.entry("GET /plugins/portables/{name}/status", Need.VIEWER),
              Map.entry("POST /plugins/portables/{name}/symbols/start", Need.OPERATOR),
              Map.entry("POST /plugins/portables/{name}/symbols/stop", Need.OPERATOR),
              Map.entry("POST /plugins/portables/{name}/symbols/functions/{symbol}", Need.OPERATOR),
              Map.entry("GET /plugins/portables/{name}/symbols/sources/{key}", Need.OPERATOR),
              Map.entry("POST /plugins/portables/{name}/symbols/sinks/{key}", Need.OPERATOR)));

  static List<Endpoints.Endpoint> endpoints() {
    return Endpoints.of(new KpmApplication(new FakeServices().services(), () -> false));
  }

  @Test
  void everyEndpointHasARowInTheRoleTable() {
    TreeSet<String> served = new TreeSet<>();
    endpoints().forEach(e -> served.add(e.toString()));
    assertEquals(EXPECTED.keySet(), served, "endpoints served vs endpoints with an expected role");
  }

  @Test
  void everyEndpointHasAnExplicitRuleGrantingTheExpectedRole() {
    Map<String, String> wrong = new TreeMap<>();
    for (Endpoints.Endpoint e : endpoints()) {
      Need expected = EXPECTED.get(e.toString());
      for (String path : e.concretePaths()) {
        Optional<AccessRules.Rule> rule = AccessRules.rule(e.method(), path);
        String got = rule.map(r -> r.need().name()).orElse("no rule");
        if (!got.equals(String.valueOf(expected))) {
          wrong.put(e.method() + " " + path, got + " (expected " + expected + ")");
        }
      }
    }
    assertEquals(Map.of(), wrong);
  }

  @Test
  void aPathWithoutARuleNeedsAViewerToReadAndAnAdminForEverythingElse() {
    assertEquals(Optional.empty(), AccessRules.rule("GET", "/nowhere/at/all"));
    assertEquals(Need.VIEWER, AccessRules.need("GET", "/nowhere/at/all"));
    assertEquals(Need.VIEWER, AccessRules.need("HEAD", "/nowhere"));
    assertEquals(Need.ADMIN, AccessRules.need("PATCH", "/plugins/sources/x"));
    assertEquals(Need.ADMIN, AccessRules.need("POST", "/nowhere"));
  }

  @Test
  void headIsJudgedAsGetAndTheSourceReadNeedsAnOperator() {
    assertEquals(Need.VIEWER, AccessRules.need("HEAD", "/plugins/sources"));
    assertEquals(Need.OPERATOR, AccessRules.need("GET", "/plugins/portables/p/symbols/sources/k"));
    assertEquals(Need.ADMIN, AccessRules.need("DELETE", "/plugins/sources/x"));
  }
}
