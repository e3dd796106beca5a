package dev.kpm.security;

import dev.kpm.shaded.com.nimbusds.jose.JOSEException;
import dev.kpm.shaded.com.nimbusds.jose.JWSAlgorithm;
import dev.kpm.shaded.com.nimbusds.jose.crypto.RSASSAVerifier;
import dev.kpm.shaded.com.nimbusds.jwt.JWTClaimsSet;
import dev.kpm.shaded.com.nimbusds.jwt.SignedJWT;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * eKuiper's JWT scheme: RS256, {@code iss} names a public-key file in {@code etc/mgmt}, {@code aud}
 * contains {@code eKuiper}; {@code exp}, {@code nbf} and {@code iat} are checked when present (30 s
 * of clock skew allowed), {@code exp} required with {@code kpm.auth.requireExp}. The subject is
 * {@code sub}, else the issuer; the role is admin unless a {@code roles} claim names another.
 */
final class EkuiperJwt {
  static final String AUDIENCE = "eKuiper";
  static final Duration SKEW = Duration.ofSeconds(30);
  private final EkuiperKeys keys;
  private final boolean requireExp;
  private final Clock clock;

  EkuiperJwt(EkuiperKeys keys, boolean requireExp, Clock clock) {
    this.keys = keys;
    this.requireExp = requireExp;
    this.clock = clock;
  }

  /** Whether this issuer names a key file: the token is then eKuiper's to verify. */
  boolean knows(String issuer) {
    return keys.key(issuer).isPresent();
  }

  long generation() {
    return keys.generation();
  }

  Caller verify(SignedJWT jwt, JWTClaimsSet claims, String client, String requestId) {
    if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm())) {
      throw AuthException.invalid(
          "validate token error: signing method "
              + jwt.getHeader().getAlgorithm()
              + " is invalid: eKuiper's tokens are RS256");
    }
    String issuer = claims.getIssuer();
    RSAPublicKey key =
        keys.key(issuer)
            .orElseThrow(
                () ->
                    AuthException.invalid(
                        "validate token error: not found target key file "
                            + issuer
                            + " in etc/mgmt"));
    try {
      if (!jwt.verify(new RSASSAVerifier(key))) {
        throw AuthException.invalid(
            "validate token error: token signature is invalid: crypto/rsa: verification error");
      }
    } catch (JOSEException e) {
      throw AuthException.invalid("validate token error: " + e.getMessage());
    }
    checkTimes(claims);
    List<String> audience = claims.getAudience();
    if (audience == null || !audience.contains(AUDIENCE)) {
      throw AuthException.invalid(
          "audience field should contain eKuiper, but got " + goList(audience));
    }
    Role role = Roles.fromClaim(claims.getClaim("roles"), Roles.IDENTITY).orElse(null);
    if (role == null) {
      if (claims.getClaim("roles") != null) {
        throw AuthException.forbidden(
            "the token's roles claim names no kpm role (viewer, operator or admin)");
      }
      role = Role.ADMIN;
    }
    String subject = Optional.ofNullable(claims.getSubject()).orElse(issuer);
    return new Caller(subject, AuthMethod.EKUIPER, role, client, requestId);
  }

  private void checkTimes(JWTClaimsSet claims) {
    Instant now = clock.instant();
    Date exp = claims.getExpirationTime();
    if (exp == null && requireExp) {
      throw AuthException.invalid(
          "validate token error: token has no exp claim, and kpm.auth.requireExp is on");
    }
    if (exp != null && !now.isBefore(exp.toInstant().plus(SKEW))) {
      throw AuthException.invalid(
          "validate token error: token has invalid claims: token is expired");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && now.isBefore(nbf.toInstant().minus(SKEW))) {
      throw AuthException.invalid(
          "validate token error: token has invalid claims: token is not valid yet");
    }
    Date iat = claims.getIssueTime();
    if (iat != null && now.isBefore(iat.toInstant().minus(SKEW))) {
      throw AuthException.invalid(
          "validate token error: token has invalid claims: token used before issued");
    }
  }

  /** How Go prints a []string: {@code [a b]}. */
  private static String goList(List<String> values) {
    return values == null ? "[]" : "[" + String.join(" ", values) + "]";
  }
}
