package dev.kpm.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.util.HashSet;
import java.util.Set;

/**
 * Bearer JWTs of an OpenID Connect provider (Keycloak, Entra ID, Okta): signature by a key of its
 * JWKS, {@code iss}, {@code aud}, {@code exp}, {@code sub} checked by nimbus-jose-jwt. The JWKS is
 * cached for five minutes; a token with an unknown {@code kid} (the provider rotated its keys)
 * refetches it, at most once per {@link OidcConfig#refreshLimit()}.
 */
final class OidcJwt {
  private static final int HTTP_TIMEOUT_MS = 5_000;
  private static final int JWKS_MAX_BYTES = 512 * 1024;
  private static final long CACHE_TTL_MS = 5 * 60_000;
  private final OidcConfig config;
  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

  OidcJwt(OidcConfig config) {
    this.config = config;
    JWKSource<SecurityContext> keys =
        JWKSourceBuilder.<SecurityContext>create(
                config.jwksUrl(),
                new DefaultResourceRetriever(HTTP_TIMEOUT_MS, HTTP_TIMEOUT_MS, JWKS_MAX_BYTES))
            .cache(CACHE_TTL_MS, HTTP_TIMEOUT_MS)
            .refreshAheadCache(false)
            .rateLimited(config.refreshLimit().toMillis())
            .retrying(false)
            .build();
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
