package dev.kpm.security;

import java.util.Locale;

/** How a caller proved who it is; {@code SYSTEM} is kpm itself (auto-load, reconcile, restarts). */
public enum AuthMethod {
  NONE,
  TOKEN,
  EKUIPER,
  OIDC,
  SYSTEM;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
