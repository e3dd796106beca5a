package dev.kpm.security;

import dev.kpm.shaded.com.nimbusds.jose.JOSEException;
import dev.kpm.shaded.com.nimbusds.jose.JOSEObjectType;
import dev.kpm.shaded.com.nimbusds.jose.JWSAlgorithm;
import dev.kpm.shaded.com.nimbusds.jose.KeySourceException;
import dev.kpm.shaded.com.nimbusds.jose.jwk.JWK;
import dev.kpm.shaded.com.nimbusds.jose.jwk.source.JWKSource;
import dev.kpm.shaded.com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import dev.kpm.shaded.com.nimbusds.jose.jwk.source.RateLimitReachedException;
import dev.kpm.shaded.com.nimbusds.jose.proc.BadJOSEException;
import dev.kpm.shaded.com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import dev.kpm.shaded.com.nimbusds.jose.proc.JWSVerificationKeySelector;
import dev.kpm.shaded.com.nimbusds.jose.proc.SecurityContext;
import dev.kpm.shaded.com.nimbusds.jose.util.DefaultResourceRetriever;
import dev.kpm.shaded.com.nimbusds.jwt.JWTClaimsSet;
import dev.kpm.shaded.com.nimbusds.jwt.SignedJWT;
import dev.kpm.shaded.com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import dev.kpm.shaded.com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Bearer JWTs of an OpenID Connect provider (Keycloak, Entra ID, Okta): signature by a key of its
 * JWKS, {@code iss}, {@code aud}, {@code exp}, {@code sub} checked by nimbus-jose-jwt. The JWKS is
 * cached for five minutes; a token with an unknown {@code kid} (the provider rotated its keys)
 * refetches it, at most twice per {@link OidcConfig#refreshLimit()} (nimbus keeps one fetch spare
 * for a rotation). Past that, a kid the keys lack is a 401; a provider that cannot be reached is a
 * 503.
 */
final class OidcJwt {
  private static final int HTTP_TIMEOUT_MS = 5_000;
  private static final int JWKS_MAX_BYTES = 512 * 1024;

  /** How long a fetched JWKS is used; the refresh limit must be shorter (nimbus insists). */
  static final Duration CACHE_TTL = Duration.ofMinutes(5);

  private final OidcConfig config;
  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

  /** Whether the last look at the provider's keys found some (fetched or cached). */
  private volatile boolean haveKeys;

  OidcJwt(OidcConfig config) {
    this.config = config;
    JWKSource<SecurityContext> fetched =
        JWKSourceBuilder.<SecurityContext>create(
                config.jwksUrl(),
                new DefaultResourceRetriever(HTTP_TIMEOUT_MS, HTTP_TIMEOUT_MS, JWKS_MAX_BYTES))
            .cache(CACHE_TTL.toMillis(), HTTP_TIMEOUT_MS)
            .refreshAheadCache(false)
            .rateLimited(config.refreshLimit().toMillis())
            .retrying(false)
            .build();
    JWKSource<SecurityContext> keys =
        (selector, context) -> {
          try {
            List<JWK> found = fetched.get(selector, context);
            haveKeys = true;
            return found;
          } catch (RateLimitReachedException e) {
            throw e;
          } catch (KeySourceException e) {
            haveKeys = false;
            throw e;
          }
        };
    processor.setJWSKeySelector(
        new JWSVerificationKeySelector<>(
            Set.of(
                JWSAlgorithm.RS256,
                JWSAlgorithm.RS384,
                JWSAlgorithm.RS512,
                JWSAlgorithm.PS256,
                JWSAlgorithm.PS384,
                JWSAlgorithm.PS512,
                JWSAlgorithm.ES256,
                JWSAlgorithm.ES384,
                JWSAlgorithm.ES512),
            keys));
    processor.setJWSTypeVerifier(
        new DefaultJOSEObjectTypeVerifier<>(
            JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
    processor.setJWTClaimsSetVerifier(
        new DefaultJWTClaimsVerifier<>(
            config.audience(),
            new JWTClaimsSet.Builder().issuer(config.issuer()).build(),
            new HashSet<>(Set.of("sub", "exp"))));
  }

  boolean issues(String issuer) {
    return config.issuer().equals(issuer);
  }

  Caller verify(SignedJWT jwt, String client, String requestId) {
    JWTClaimsSet claims;
    try {
      claims = processor.process(jwt, null);
    } catch (RateLimitReachedException e) {
      if (!haveKeys) {
        throw AuthException.unavailable(
            "cannot fetch the OIDC provider's keys from "
                + config.jwksUrl()
                + ": the last fetch failed, and the next is allowed after"
                + " kpm.auth.oidc.refreshLimit ("
                + config.refreshLimit()
                + ")");
      }
      // The keys lack this kid and were fetched moments ago: an unverifiable token, not an
      // outage (a 503 would invite retries and spare forged kids the failure limit).
      throw AuthException.invalid(
          "validate token error: no key of the OIDC provider has kid "
              + jwt.getHeader().getKeyID()
              + ", and its keys were fetched less than kpm.auth.oidc.refreshLimit ("
              + config.refreshLimit()
              + ") ago");
    } catch (KeySourceException e) {
      throw AuthException.unavailable(
          "cannot fetch the OIDC provider's keys from " + config.jwksUrl() + ": " + e.getMessage());
    } catch (BadJOSEException | JOSEException e) {
      throw AuthException.invalid("validate token error: " + e.getMessage());
    }
    Object claim = Roles.at(claims.getClaims(), config.roleClaim());
    Role role =
        Roles.fromClaim(claim, config.roles())
            .orElseThrow(
                () ->
                    AuthException.forbidden(
                        "the OIDC token of "
                            + claims.getSubject()
                            + " carries no role kpm maps (claim "
                            + config.roleClaim()
                            + ", roles "
                            + config.roles().keySet().stream().sorted().toList()
                            + ")"));
    return new Caller(claims.getSubject(), AuthMethod.OIDC, role, client, requestId);
  }
}
