package dev.kpm.security;

import java.util.Locale;
import java.util.Optional;

/** What a caller may do; each role includes the ones before it. */
public enum Role {
  /** The GETs of plugins, UDFs, status, health, install logs and prebuild. */
  VIEWER,
  /** Viewer, plus the portable symbol API. */
  OPERATOR,
  /** Everything: every mutation, {@code ?stop=1}, tokens. */
  ADMIN;

  /** The name on the wire and in the database: {@code viewer}, {@code operator}, {@code admin}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean includes(Role other) {
    return compareTo(other) >= 0;
  }

  public static Optional<Role> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    for (Role role : values()) {
      if (role.wire().equals(text.strip().toLowerCase(Locale.ROOT))) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }
}
