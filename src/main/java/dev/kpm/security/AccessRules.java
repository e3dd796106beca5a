package dev.kpm.security;

import dev.kpm.audit.AuditAction;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one table that decides what each endpoint needs, by method and path (docs/api.md §10.3).
 * Every endpoint kpm serves has an explicit row ({@code SecurityRulesTest} enumerates them); a path
 * without one needs a viewer to read it and an admin for anything else, so an unknown path never
 * answers an anonymous client with more than a 401.
 */
public final class AccessRules {

  /** What a request needs. */
  public enum Need {
    /**
     * Nothing: eKuiper's {@code /ping} and {@code /}, kpm's {@code /ready} and OpenAPI document,
     * the console's static files.
     */
    PUBLIC,
    VIEWER,
    OPERATOR,
    ADMIN;

    /** The role this needs, or null for {@link #PUBLIC}. */
    public Role role() {
      return switch (this) {
        case PUBLIC -> null;
        case VIEWER -> Role.VIEWER;
        case OPERATOR -> Role.OPERATOR;
        case ADMIN -> Role.ADMIN;
      };
    }
  }

  /**
   * One row: an HTTP method and a path template whose {@code {parameters}} match one segment.
   *
   * @param method GET also covers HEAD
   * @param audit what the audit trail records of such a request, or null when it records nothing
   *     (reads, function calls, sink records)
   */
  public record Rule(String method, String template, Need need, AuditAction audit) {
    public Rule(String method, String template, Need need) {
      this(method, template, need, null);
    }

    Pattern pattern() {
      StringBuilder regex = new StringBuilder();
      for (String part : template.split("(?=\\{)|(?<=\\})")) {
        regex.append(
            part.startsWith("{")
                ? "(?<" + part.substring(1, part.length() - 1) + ">[^/]+)"
                : Pattern.quote(part));
      }
      return Pattern.compile(regex.toString());
    }

    /**
     * What the request acts on, from the path alone (never the body): the plugin type and name, or
     * {@code tokens}/{@code uploads}; null parts when the path does not say.
     */
    public Target target(String path) {
      Matcher m = pattern().matcher(path);
      if (!m.matches()) {
        return new Target(null, null);
      }
      if (template.startsWith("/auth/tokens")) {
        return new Target("tokens", null);
      }
      if (template.startsWith("/fleet/nodes")) {
        return new Target("fleet", group(m, "id"));
      }
      if (template.startsWith("/data/")) {
        return new Target("data", null);
      }
      if (template.startsWith("/config/uploads")) {
        return new Target("uploads", group(m, "name"));
      }
      if (template.startsWith(PORTABLE)) {
        return new Target("portables", group(m, "name"));
      }
      if (template.startsWith("/plugins/functions/")) {
        return new Target("functions", group(m, "name"));
      }
      return new Target(group(m, "type"), group(m, "name"));
    }

    private String group(Matcher m, String name) {
      return template.contains("{" + name + "}") ? m.group(name) : null;
    }
  }

  /** What a request acts on, as far as its path says. */
  public record Target(String type, String name) {}

  private static final String PORTABLE = "/plugins/portables/{name}";

  /** The table, most specific rows first. */
  public static final List<Rule> RULES =
      List.of(
          new Rule("GET", "/ping", Need.PUBLIC),
          // Readiness: load balancers and Kubernetes probes send no credential.
          new Rule("GET", "/ready", Need.PUBLIC),
          // Prometheus scrapes with a viewer's token (a read, not audited).
          new Rule("GET", "/metrics", Need.VIEWER),
          new Rule("GET", "/", Need.PUBLIC),
          // kpm's OpenAPI document (docs/api.md §8.14): describes the API, grants nothing.
          new Rule("GET", "/openapi.json", Need.PUBLIC),
          new Rule("GET", "/openapi.yaml", Need.PUBLIC),
          // The admin console's static files (one flat folder): the page signs in itself and
          // sends the token with every API call it makes.
          new Rule("GET", "/console", Need.PUBLIC),
          new Rule("GET", "/console/", Need.PUBLIC),
          new Rule("GET", "/console/{asset}", Need.PUBLIC),
          new Rule("GET", "/auth/me", Need.VIEWER),
          new Rule("GET", "/auth/tokens", Need.ADMIN),
          new Rule("POST", "/auth/tokens", Need.ADMIN, AuditAction.TOKEN_CREATE),
          new Rule("DELETE", "/auth/tokens/{id}", Need.ADMIN, AuditAction.TOKEN_REVOKE),
          new Rule("GET", "/audit", Need.ADMIN),
          new Rule("GET", "/audit.csv", Need.ADMIN),
          new Rule("GET", "/audit/verify", Need.ADMIN),
          // The fleet (README "Fleet"): who shares the database; forgetting one is a
          // change.
          new Rule("GET", "/fleet/nodes", Need.VIEWER),
          new Rule("GET", "/fleet/nodes/{id}", Need.VIEWER),
          new Rule("DELETE", "/fleet/nodes/{id}", Need.ADMIN, AuditAction.FLEET_NODE_FORGET),
          // Asking a node to retry its failures runs install scripts there: an admin's change.
          new Rule(
              "POST", "/fleet/nodes/{id}/reconcile", Need.ADMIN, AuditAction.FLEET_NODE_RECONCILE),
          // Uploads: files any plugin install or rule may then read; listing shows the paths.
          // eKuiper's ruleset export and import (docs/api.md §8.19): plugin URLs may carry
          // credentials, and an import replaces the plugin set.
          new Rule("GET", "/data/export", Need.ADMIN),
          new Rule("POST", "/data/import", Need.ADMIN, AuditAction.DATA_IMPORT),
          new Rule("GET", "/data/import/status", Need.ADMIN),
          new Rule("GET", "/config/uploads", Need.ADMIN),
          new Rule("POST", "/config/uploads", Need.ADMIN, AuditAction.UPLOAD_CREATE),
          new Rule("DELETE", "/config/uploads/{name}", Need.ADMIN, AuditAction.UPLOAD_DELETE),
          new Rule("POST", PORTABLE + "/symbols/start", Need.OPERATOR, AuditAction.SYMBOL_START),
          new Rule("POST", PORTABLE + "/symbols/stop", Need.OPERATOR, AuditAction.SYMBOL_STOP),
          // Function calls and sink records are data, not changes: not audited.
          new Rule("POST", PORTABLE + "/symbols/functions/{symbol}", Need.OPERATOR),
          // Reading a source consumes its tuples: an operator's act, not a viewer's.
          new Rule("GET", PORTABLE + "/symbols/sources/{instance}", Need.OPERATOR),
          new Rule("POST", PORTABLE + "/symbols/sinks/{instance}", Need.OPERATOR),
          new Rule("GET", PORTABLE + "/status", Need.VIEWER),
          new Rule("GET", PORTABLE + "/output", Need.VIEWER),
          new Rule(
              "POST",
              "/plugins/functions/{name}/register",
              Need.ADMIN,
              AuditAction.FUNCTIONS_REGISTER),
          new Rule("GET", "/events", Need.VIEWER),
          new Rule("GET", "/jobs", Need.VIEWER),
          new Rule("GET", "/jobs/{id}", Need.VIEWER),
          new Rule("DELETE", "/jobs/{id}", Need.ADMIN, AuditAction.JOB_CANCEL),
          new Rule("GET", "/plugins/compat", Need.VIEWER),
          // kpm's inventory (docs/api.md §8.18): a read; who installed a plugin is shown to admins.
          new Rule("GET", "/inventory/{type}", Need.VIEWER),
          new Rule("GET", "/plugins/{type}/{name}/compat", Need.VIEWER),
          new Rule("GET", "/plugins/{type}/{name}/installs", Need.VIEWER),
          new Rule("GET", "/plugins/{type}/{name}/health", Need.VIEWER),
          // Every fleet node's state of the plugin (docs/api.md §8.20), portables' too: a read.
          new Rule("GET", "/plugins/{type}/{name}/nodes", Need.VIEWER),
          // Metadata as installed, portables' too, and eKuiper's catalogue: reads.
          new Rule("GET", "/plugins/{type}/{name}/meta", Need.VIEWER),
          new Rule("GET", "/metadata/{kind}", Need.VIEWER),
          new Rule("GET", "/metadata/{kind}/{name}", Need.VIEWER),
          new Rule("GET", "/plugins/{type}", Need.VIEWER),
          new Rule("POST", "/plugins/{type}", Need.ADMIN, AuditAction.PLUGIN_CREATE),
          // Also prebuild (GET /plugins/{type}/prebuild) and GET /plugins/udfs/{name}.
          new Rule("GET", "/plugins/{type}/{name}", Need.VIEWER),
          new Rule("PUT", "/plugins/{type}/{name}", Need.ADMIN, AuditAction.PLUGIN_UPDATE),
          // Also DELETE …?stop=1, which stops the server.
          new Rule("DELETE", "/plugins/{type}/{name}", Need.ADMIN, AuditAction.PLUGIN_DELETE));

  private static final List<Pattern> PATTERNS = RULES.stream().map(Rule::pattern).toList();

  private AccessRules() {}

  /** The row for this request, if the table has one. */
  public static Optional<Rule> rule(String method, String path) {
    String m = method.toUpperCase(Locale.ROOT);
    String verb = m.equals("HEAD") ? "GET" : m;
    for (int i = 0; i < RULES.size(); i++) {
      Rule rule = RULES.get(i);
      if (rule.method().equals(verb) && PATTERNS.get(i).matcher(path).matches()) {
        return Optional.of(rule);
      }
    }
    return Optional.empty();
  }

  /** What this request needs: its row's need, else viewer to read and admin for the rest. */
  public static Need need(String method, String path) {
    return need(rule(method, path), method);
  }

  /** What a request with this row (or none) needs. */
  public static Need need(Optional<Rule> rule, String method) {
    return rule.map(Rule::need)
        .orElse(
            switch (method.toUpperCase(Locale.ROOT)) {
              case "GET", "HEAD", "OPTIONS" -> Need.VIEWER;
              default -> Need.ADMIN;
            });
  }
}
