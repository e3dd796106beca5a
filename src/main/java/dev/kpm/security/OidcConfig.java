package dev.kpm.security;

import java.net.URL;
import java.time.Duration;
import java.util.Map;

/**
 * An OpenID Connect provider whose JWTs kpm accepts.
 *
 * @param roleClaim where the provider puts roles: a claim name or a dotted path
 * @param roles provider role → kpm role
 * @param refreshLimit the window in which the JWKS is fetched at most twice (an unknown {@code kid}
 *     refetches it); within it, a token whose kid the fetched keys lack is refused (401)
 */
public record OidcConfig(
    String issuer,
    String audience,
    URL jwksUrl,
    String roleClaim,
    Map<String, Role> roles,
    Duration refreshLimit) {}
