package dev.kpm.security;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
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
    /** Nothing: eKuiper's {@code /ping} and {@code /}, the console's static files. */
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
   */
  public record Rule(String method, String template, Need need) {
    Pattern pattern() {
      StringBuilder regex = new StringBuilder();
      for (String part : template.split("(?=\\{)|(?<=\\})")) {
        regex.append(part.startsWith("{") ? "[^/]+" : Pattern.quote(part));
      }
      return Pattern.compile(regex.toString());
    }
  }

  private static final String PORTABLE = "/plugins/portables/{name}";

  /** The table, most specific rows first. */
  public static final List<Rule> RULES =
      List.of(
          new Rule("GET", "/ping", Need.PUBLIC),
          new Rule("GET", "/", Need.PUBLIC),
          new Rule("GET", "/auth/me", Need.VIEWER),
          new Rule("GET", "/auth/tokens", Need.ADMIN),
          new Rule("POST", "/auth/tokens", Need.ADMIN),
          new Rule("DELETE", "/auth/tokens/{id}", Need.ADMIN),
          // Uploads: files any plugin install or rule may then read; listing shows the paths.
          new Rule("GET", "/config/uploads", Need.ADMIN),
          new Rule("POST", "/config/uploads", Need.ADMIN),
          new Rule("DELETE", "/config/uploads/{name}", Need.ADMIN),
          new Rule("POST", PORTABLE + "/symbols/start", Need.OPERATOR),
          new Rule("POST", PORTABLE + "/symbols/stop", Need.OPERATOR),
          new Rule("POST", PORTABLE + "/symbols/functions/{symbol}", Need.OPERATOR),
          // Reading a source consumes its tuples: an operator's act, not a viewer's.
          new Rule("GET", PORTABLE + "/symbols/sources/{instance}", Need.OPERATOR),
          new Rule("POST", PORTABLE + "/symbols/sinks/{instance}", Need.OPERATOR),
          new Rule("GET", PORTABLE + "/status", Need.VIEWER),
          new Rule("GET", PORTABLE + "/output", Need.VIEWER),
          new Rule("POST", "/plugins/functions/{name}/register", Need.ADMIN),
          new Rule("GET", "/plugins/{type}/{name}/installs", Need.VIEWER),
          new Rule("GET", "/plugins/{type}/{name}/health", Need.VIEWER),
          new Rule("GET", "/plugins/{type}", Need.VIEWER),
          new Rule("POST", "/plugins/{type}", Need.ADMIN),
          // Also prebuild (GET /plugins/{type}/prebuild) and GET /plugins/udfs/{name}.
          new Rule("GET", "/plugins/{type}/{name}", Need.VIEWER),
          new Rule("PUT", "/plugins/{type}/{name}", Need.ADMIN),
          // Also DELETE …?stop=1, which stops the server.
          new Rule("DELETE", "/plugins/{type}/{name}", Need.ADMIN));

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
    return rule(method, path)
        .map(Rule::need)
        .orElse(
            switch (method.toUpperCase(Locale.ROOT)) {
              case "GET", "HEAD", "OPTIONS" -> Need.VIEWER;
              default -> Need.ADMIN;
            });
  }
}
