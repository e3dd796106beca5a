package dev.kpm.security;

import java.net.URL;
import java.time.Duration;
import java.util.Map;

/**
 * An OpenID Connect provider whose JWTs kpm accepts.
 *
 * @param roleClaim where the provider puts roles: a claim name or a dotted path
 * @param roles provider role → kpm role
 * @param refreshLimit the shortest time between two fetches of the JWKS (an unknown {@code kid}
 *     refetches it, at most this often)
 */
public record OidcConfig(
    String issuer,
    String audience,
    URL jwksUrl,
    String roleClaim,
    Map<String, Role> roles,
    Duration refreshLimit) {}
