package dev.kpm.security;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Role claims of JWTs: the highest kpm role their values map to. */
final class Roles {
  /** kpm's own names: {@code viewer}, {@code operator}, {@code admin}. */
  static final Map<String, Role> IDENTITY =
      Map.of("viewer", Role.VIEWER, "operator", Role.OPERATOR, "admin", Role.ADMIN);

  private Roles() {}

  /**
   * Parses {@code provider-role=kpm-role} pairs such as {@code kpm-admin=admin}.
   *
   * @throws IllegalArgumentException for a pair without {@code =} or an unknown kpm role
   */
  static Map<String, Role> mapping(List<String> pairs) {
    Map<String, Role> map = new HashMap<>();
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      Optional<Role> role = eq < 0 ? Optional.empty() : Role.parse(pair.substring(eq + 1));
      if (eq <= 0 || role.isEmpty()) {
        throw new IllegalArgumentException(
            "setting kpm.auth.oidc.roles (KPM_OIDC_ROLES) must be provider-role=viewer|operator|"
                + "admin pairs, got '"
                + pair
                + "'");
      }
      map.put(pair.substring(0, eq).strip(), role.get());
    }
    return map;
  }

  /** The highest role the claim's values (a string or a list of strings) map to. */
  static Optional<Role> fromClaim(Object claim, Map<String, Role> mapping) {
    Collection<?> values =
        claim instanceof Collection<?> c
            ? c
            : claim instanceof String s ? List.of((Object[]) s.split("[\\s,]+")) : List.of();
    Role best = null;
    for (Object value : values) {
      if (value instanceof String name) {
        Role role = mapping.get(mapping == IDENTITY ? name.toLowerCase(Locale.ROOT) : name);
        if (role != null && (best == null || role.includes(best))) {
          best = role;
        }
      }
    }
    return Optional.ofNullable(best);
  }

  /** The claim of that name, else the value at a dotted path such as {@code realm_access.roles}. */
  static Object at(Map<String, Object> claims, String path) {
    if (claims.containsKey(path)) {
      return claims.get(path); // a namespaced claim such as https://example.com/roles
    }
    Object current = claims;
    for (String part : path.split("\\.")) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(part);
    }
    return current;
  }
}
