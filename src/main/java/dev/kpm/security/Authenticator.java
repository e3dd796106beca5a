package dev.kpm.security;

import dev.kpm.persistence.DatabaseUnavailableException;
import dev.kpm.shaded.com.nimbusds.jwt.JWTClaimsSet;
import dev.kpm.shaded.com.nimbusds.jwt.SignedJWT;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns an {@code Authorization} header into a {@link Caller}: a kpm token (by its prefix), else a
 * JWT routed by its {@code iss} — a key file in {@code etc/mgmt} means eKuiper's scheme, the
 * configured OIDC issuer means OIDC, anything else is refused. A method that is not enabled in
 * {@code kpm.auth} refuses its credentials like unknown ones.
 *
 * <p>A verified JWT is remembered until it expires (one without {@code exp} for a minute), so a
 * client that sends the same token on every request pays for one signature check: the B2 read path
 * stays near a static file. The memory forgets everything when the eKuiper key folder changes and
 * is bounded ({@link #CACHE_MAX} entries).
 */
public final class Authenticator {
  static final int CACHE_MAX = 10_000;
  static final Duration NO_EXP_CACHE = Duration.ofSeconds(60);

  /** The most a credential may be: longer ones are refused before any parsing. */
  static final int MAX_CREDENTIAL_CHARS = 16 * 1024;

  /** Longer credentials are verified every time, so the cache stays small in bytes too. */
  static final int CACHE_KEY_MAX_CHARS = 4096;

  private record Verified(Caller caller, Instant until, long keyGeneration) {}

  private final Set<AuthMethod> methods;
  private final Optional<ApiTokens> tokens;
  private final EkuiperJwt ekuiper;
  private final Optional<OidcJwt> oidc;
  private final Clock clock;
  private final Map<String, Verified> verified = new ConcurrentHashMap<>();

  Authenticator(
      Set<AuthMethod> methods,
      Optional<ApiTokens> tokens,
      EkuiperJwt ekuiper,
      Optional<OidcJwt> oidc,
      Clock clock) {
    this.methods = methods.isEmpty() ? EnumSet.noneOf(AuthMethod.class) : EnumSet.copyOf(methods);
    this.tokens = tokens;
    this.ekuiper = ekuiper;
    this.oidc = oidc;
    this.clock = clock;
  }

  /**
   * The authenticator the settings ask for.
   *
   * @param methods the {@code kpm.auth} list
   * @param tokens kpm's API tokens (used when {@code token} is enabled)
   * @throws IllegalArgumentException for an unknown method, {@code none} beside others, or an
   *     {@code oidc} without issuer or JWKS URL
   */
  public static Authenticator of(
      List<String> methods,
      Path home,
      boolean requireExp,
      OidcSettings oidc,
      Optional<ApiTokens> tokens,
      Clock clock) {
    Set<AuthMethod> enabled = parse(methods);
    Optional<OidcJwt> oidcJwt = Optional.empty();
    if (enabled.contains(AuthMethod.OIDC)) {
      oidcJwt = Optional.of(new OidcJwt(oidc.config()));
    }
    return new Authenticator(
        enabled,
        tokens,
        new EkuiperJwt(new EkuiperKeys(home.resolve("etc").resolve("mgmt")), requireExp, clock),
        oidcJwt,
        clock);
  }

  /**
   * The enabled methods of a {@code kpm.auth} value; empty for {@code none}.
   *
   * @throws IllegalArgumentException for an unknown method or {@code none} beside others
   */
  public static Set<AuthMethod> parse(List<String> methods) {
    Set<AuthMethod> enabled = EnumSet.noneOf(AuthMethod.class);
    boolean none = false;
    for (String m : methods) {
      switch (m.strip().toLowerCase(Locale.ROOT)) {
        case "none" -> none = true;
        case "token" -> enabled.add(AuthMethod.TOKEN);
        case "ekuiper" -> enabled.add(AuthMethod.EKUIPER);
        case "oidc" -> enabled.add(AuthMethod.OIDC);
        default ->
            throw new IllegalArgumentException(
                "setting kpm.auth (KPM_AUTH) knows none, token, ekuiper and oidc, got '" + m + "'");
      }
    }
    if (none && !enabled.isEmpty()) {
      throw new IllegalArgumentException(
          "setting kpm.auth (KPM_AUTH) cannot combine none with " + methods);
    }
    if (!none && enabled.isEmpty()) {
      throw new IllegalArgumentException(
          "setting kpm.auth (KPM_AUTH) is empty: name none, or some of token, ekuiper, oidc");
    }
    return enabled;
  }

  /** The OIDC settings, checked only when {@code oidc} is enabled. */
  public record OidcSettings(
      String issuer,
      String audience,
      String jwksUrl,
      String roleClaim,
      List<String> roles,
      Duration refreshLimit) {
    OidcConfig config() {
      if (issuer.isBlank() || jwksUrl.isBlank()) {
        throw new IllegalArgumentException(
            "kpm.auth includes oidc: set kpm.auth.oidc.issuer (KPM_OIDC_ISSUER) and"
                + " kpm.auth.oidc.jwksUrl (KPM_OIDC_JWKS_URL)");
      }
      if (refreshLimit.isNegative() || refreshLimit.compareTo(OidcJwt.CACHE_TTL) >= 0) {
        throw new IllegalArgumentException(
            "setting kpm.auth.oidc.refreshLimit (KPM_OIDC_REFRESH_LIMIT) must be shorter than"
                + " the "
                + OidcJwt.CACHE_TTL
                + " kpm keeps the provider's keys, got "
                + refreshLimit);
      }
      try {
        URI uri = URI.create(jwksUrl);
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
          throw new IllegalArgumentException("not http(s)");
        }
        return new OidcConfig(
            issuer, audience, uri.toURL(), roleClaim, Roles.mapping(roles), refreshLimit);
      } catch (MalformedURLException | IllegalArgumentException e) {
        if (e.getMessage() != null && e.getMessage().startsWith("setting ")) {
          throw (IllegalArgumentException) e;
        }
        throw new IllegalArgumentException(
            "setting kpm.auth.oidc.jwksUrl (KPM_OIDC_JWKS_URL) must be an http(s) URL, got '"
                + jwksUrl
                + "'");
      }
    }
  }

  /** No method enabled: {@code kpm.auth=none}. */
  public boolean none() {
    return methods.isEmpty();
  }

  /**
   * Who this {@code Authorization} header proves.
   *
   * @param header the header as sent, null when absent
   * @throws AuthException 401 for a missing or bad credential, 403 for a verified one that maps to
   *     no role, 503 when it cannot be checked now
   */
  public Caller authenticate(String header, String clientAddress, String requestId) {
    String credential = credential(header);
    if (credential.length() > MAX_CREDENTIAL_CHARS) {
      throw AuthException.invalid("validate token error: credential too long");
    }
    if (TokenSecret.looksLike(credential)) {
      if (!methods.contains(AuthMethod.TOKEN) || tokens.isEmpty()) {
        throw AuthException.invalid(
            "validate token error: kpm API tokens are not enabled (kpm.auth)");
      }
      try {
        return tokens.get().verify(credential, clientAddress, requestId);
      } catch (DatabaseUnavailableException e) {
        throw AuthException.unavailable(
            "cannot check this kpm token now: the database is unavailable");
      }
    }
    Verified known = verified.get(credential);
    if (known != null) {
      if (clock.instant().isBefore(known.until())
          && (known.caller().method() != AuthMethod.EKUIPER
              || known.keyGeneration() == ekuiper.generation())) {
        Caller c = known.caller();
        return new Caller(c.subject(), c.method(), c.role(), clientAddress, requestId);
      }
      verified.remove(credential);
    }
    return verifyJwt(credential, clientAddress, requestId);
  }

  private Caller verifyJwt(String credential, String clientAddress, String requestId) {
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(credential);
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException | RuntimeException e) {
      // nimbus throws unchecked exceptions on some hostile input (a header of JSON null): a 401.
      throw AuthException.invalid(
          "validate token error: token is malformed: neither a kpm token nor a signed JWT");
    }
    String issuer = claims.getIssuer();
    if (issuer == null || issuer.isEmpty()) {
      throw AuthException.invalid("validate token error: issuer field not exist in jwt payload");
    }
    Caller caller;
    long generation = ekuiper.generation();
    if (oidc.isPresent() && oidc.get().issues(issuer)) {
      caller = oidc.get().verify(jwt, clientAddress, requestId);
    } else if (methods.contains(AuthMethod.EKUIPER) && ekuiper.knows(issuer)) {
      caller = ekuiper.verify(jwt, claims, clientAddress, requestId);
    } else if (methods.contains(AuthMethod.EKUIPER)) {
      throw AuthException.invalid(
          "validate token error: not found target key file " + issuer + " in etc/mgmt");
    } else {
      throw AuthException.invalid(
          "validate token error: no enabled method (kpm.auth) accepts tokens of issuer " + issuer);
    }
    if (credential.length() <= CACHE_KEY_MAX_CHARS) {
      remember(credential, caller, claims.getExpirationTime(), generation);
    }
    return caller;
  }

  private void remember(String credential, Caller caller, Date exp, long generation) {
    Instant now = clock.instant();
    Instant until = exp == null ? now.plus(NO_EXP_CACHE) : exp.toInstant();
    if (!until.isAfter(now)) {
      return;
    }
    if (verified.size() >= CACHE_MAX) {
      verified.entrySet().removeIf(e -> !now.isBefore(e.getValue().until()));
      if (verified.size() >= CACHE_MAX) {
        verified.clear();
      }
    }
    verified.put(credential, new Verified(caller, until, generation));
  }

  /**
   * The credential of the header: as sent (eKuiper's clients), or after {@code Bearer }; empty for
   * no header, a blank one, or {@code Bearer} alone (Tomcat strips the trailing space of {@code
   * "Bearer "}).
   */
  public static Optional<String> credentialOf(String header) {
    if (header == null) {
      return Optional.empty();
    }
    String value = header.strip();
    if (value.regionMatches(true, 0, "Bearer", 0, 6)
        && (value.length() == 6 || Character.isWhitespace(value.charAt(6)))) {
      value = value.substring(6).strip();
    }
    return value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  /** The credential of the header, or 401 {@code missing_token}. */
  static String credential(String header) {
    return credentialOf(header).orElseThrow(AuthException::missing);
  }
}
