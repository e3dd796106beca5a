package dev.kpm.security;

import static dev.kpm.testing.TestJwts.rs256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.kpm.shaded.com.nimbusds.jose.JOSEObjectType;
import dev.kpm.shaded.com.nimbusds.jose.JWSAlgorithm;
import dev.kpm.shaded.com.nimbusds.jose.JWSHeader;
import dev.kpm.shaded.com.nimbusds.jose.crypto.MACSigner;
import dev.kpm.shaded.com.nimbusds.jose.jwk.JWK;
import dev.kpm.shaded.com.nimbusds.jose.jwk.JWKSet;
import dev.kpm.shaded.com.nimbusds.jose.jwk.KeyUse;
import dev.kpm.shaded.com.nimbusds.jose.jwk.RSAKey;
import dev.kpm.shaded.com.nimbusds.jwt.JWTClaimsSet;
import dev.kpm.shaded.com.nimbusds.jwt.SignedJWT;
import dev.kpm.testing.TestJwts;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenID Connect bearer tokens through {@link Authenticator}: a real JWKS served over HTTP on
 * loopback (its fetches counted), real RSA keys with {@code kid}s, tokens as Keycloak issues them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OidcAuthTest {
  private static final String ISSUER = "https://idp.test/realms/kpm";
  private static final List<String> ROLES =
      List.of("kpm-viewer=viewer", "kpm-operator=operator", "kpm-admin=admin");
  private static final String CLIENT = "192.0.2.9";

  /** Far longer than any test: within it the key set is fetched at most twice. */
  private static final Duration LONG_LIMIT = Duration.ofMinutes(4);

  private KeyPair k1;
  private KeyPair k2;
  private KeyPair k3;
  @TempDir Path home;
  private HttpServer server;
  private int port;
  private volatile String jwks;
  private final AtomicInteger fetches = new AtomicInteger();

  @BeforeAll
  void generateKeys() {
    k1 = TestJwts.rsa();
    k2 = TestJwts.rsa();
    k3 = TestJwts.rsa();
  }

  @BeforeEach
  void serveJwks() throws IOException {
    fetches.set(0);
    publish(Map.of("k1", k1));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/jwks",
        exchange -> {
          fetches.incrementAndGet();
          byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    port = server.getAddress().getPort();
  }

  @AfterEach
  void stopJwks() {
    server.stop(0);
  }

  /** The provider's key set from now on: public halves, by kid. */
  private void publish(Map<String, KeyPair> keys) {
    List<JWK> list = new ArrayList<>();
    keys.forEach(
        (kid, pair) ->
            list.add(
                new RSAKey.Builder((RSAPublicKey) pair.getPublic())
                    .keyID(kid)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256)
                    .build()));
    jwks = new JWKSet(list).toString();
  }

  private String jwksUrl() {
    return "http://127.0.0.1:" + port + "/jwks";
  }

  private Authenticator oidc(String roleClaim, Duration refreshLimit) {
    return Authenticator.of(
        List.of("oidc"),
        home,
        false,
        new Authenticator.OidcSettings(ISSUER, "kpm", jwksUrl(), roleClaim, ROLES, refreshLimit),
        Optional.empty(),
        Clock.systemUTC());
  }

  private Authenticator oidc() {
    return oidc("realm_access.roles", LONG_LIMIT);
  }

  /** Claims as Keycloak puts them in an access token for kpm. */
  private static JWTClaimsSet.Builder claims(String sub, List<String> realmRoles) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience("kpm")
        .subject(sub)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
        .claim("realm_access", Map.of("roles", realmRoles));
  }

  private static AuthException refused(Authenticator auth, String token) {
    return assertThrows(AuthException.class, () -> auth.authenticate(token, CLIENT, "r"));
  }

  private static void assertRefused(int status, Authenticator auth, String token) {
    AuthException e = refused(auth, token);
    assertEquals(status, e.status(), e.getMessage());
  }

  @Test
  void aRealmRoleOfKeycloakMakesTheCallerAnOperator() {
    String token = rs256(k1, "k1", claims("dana", List.of("kpm-operator")).build());
    Caller caller = oidc().authenticate("Bearer " + token, CLIENT, "req-9");
    assertEquals(new Caller("dana", AuthMethod.OIDC, Role.OPERATOR, CLIENT, "req-9"), caller);
    assertEquals(1, fetches.get());
  }

  @Test
  void aVerifiedTokenIsRememberedAndTheKeySetFetchedOnce() {
    Authenticator auth = oidc();
    String a = rs256(k1, "k1", claims("dana", List.of("kpm-viewer")).build());
    String b = rs256(k1, "k1", claims("erin", List.of("kpm-admin")).build());
    assertEquals(Role.VIEWER, auth.authenticate(a, CLIENT, "r").role());
    assertEquals(Role.VIEWER, auth.authenticate(a, CLIENT, "r").role());
    assertEquals(Role.ADMIN, auth.authenticate(b, CLIENT, "r").role());
    assertEquals(1, fetches.get());
  }

  @Test
  void aGroupsClaimCanCarryTheRoles() {
    Authenticator auth = oidc("groups", LONG_LIMIT);
    String token =
        rs256(k1, "k1", claims("fay", List.of()).claim("groups", List.of("kpm-admin")).build());
    assertEquals(Role.ADMIN, auth.authenticate(token, CLIENT, "r").role());
    String realmOnly = rs256(k1, "k1", claims("gus", List.of("kpm-admin")).build());
    assertRefused(403, auth, realmOnly);
  }

  @Test
  void theHighestOfSeveralMappedRolesWins() {
    Authenticator auth = oidc();
    List<String> roles = List.of("offline_access", "kpm-viewer", "kpm-admin", "kpm-operator");
    assertEquals(
        Role.ADMIN,
        auth.authenticate(rs256(k1, "k1", claims("h", roles).build()), CLIENT, "r").role());
    List<String> lower = List.of("kpm-operator", "kpm-viewer");
    assertEquals(
        Role.OPERATOR,
        auth.authenticate(rs256(k1, "k1", claims("i", lower).build()), CLIENT, "r").role());
  }

  @Test
  void aTokenWithNoMappedRoleIsForbidden() {
    Authenticator auth = oidc();
    AuthException e =
        refused(
            auth, rs256(k1, "k1", claims("jo", List.of("offline_access", "KPM-ADMIN")).build()));
    assertEquals(403, e.status());
    assertEquals(
        "the OIDC token of jo carries no role kpm maps (claim realm_access.roles, roles"
            + " [kpm-admin, kpm-operator, kpm-viewer])",
        e.getMessage());
    JWTClaimsSet noClaim =
        new JWTClaimsSet.Builder(claims("jo", List.of()).build())
            .claim("realm_access", null)
            .build();
    assertRefused(403, auth, rs256(k1, "k1", noClaim));
  }

  @Test
  void aTokenForAnotherAudienceIsRefused() {
    String token = rs256(k1, "k1", claims("kai", List.of("kpm-admin")).audience("account").build());
    AuthException e = refused(oidc(), token);
    assertEquals(401, e.status());
    assertTrue(e.getMessage().startsWith("validate token error: "), e.getMessage());
    assertTrue(e.getMessage().contains("aud"), e.getMessage());
  }

  @Test
  void anExpiredTokenIsRefused() {
    Instant past = Instant.now().minus(Duration.ofMinutes(10));
    String token =
        rs256(
            k1,
            "k1",
            claims("lee", List.of("kpm-admin"))
                .issueTime(Date.from(past.minusSeconds(300)))
                .expirationTime(Date.from(past))
                .build());
    AuthException e = refused(oidc(), token);
    assertEquals(401, e.status());
    assertTrue(
        e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("expired"), e.getMessage());
  }

  @Test
  void aTokenSignedByAKeyOutsideTheKeySetIsRefused() {
    // Claims the kid of a published key, signed with another.
    String token = rs256(k2, "k1", claims("mo", List.of("kpm-admin")).build());
    assertRefused(401, oidc(), token);
  }

  @Test
  void aTokenWithoutSubjectOrExpiryIsRefused() {
    Authenticator auth = oidc();
    assertRefused(401, auth, rs256(k1, "k1", claims(null, List.of("kpm-admin")).build()));
    assertRefused(
        401,
        auth,
        rs256(k1, "k1", claims("ned", List.of("kpm-admin")).expirationTime(null).build()));
  }

  @Test
  void accessTokenTypesAreAcceptedAndOthersRefused() {
    Authenticator auth = oidc();
    JWTClaimsSet claims = claims("ola", List.of("kpm-viewer")).build();
    String atJwt =
        TestJwts.sign(
            k1,
            new JWSHeader.Builder(JWSAlgorithm.RS256)
                .keyID("k1")
                .type(new JOSEObjectType("at+jwt")),
            claims);
    String untyped =
        TestJwts.sign(k1, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1"), claims);
    String logout =
        TestJwts.sign(
            k1,
            new JWSHeader.Builder(JWSAlgorithm.RS256)
                .keyID("k1")
                .type(new JOSEObjectType("logout+jwt")),
            claims);
    assertEquals(Role.VIEWER, auth.authenticate(atJwt, CLIENT, "r").role());
    assertEquals(Role.VIEWER, auth.authenticate(untyped, CLIENT, "r").role());
    assertRefused(401, auth, logout);
  }

  @Test
  void anHmacTokenIsRefusedEvenUnderAPublishedKid() throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(),
            claims("pat", List.of("kpm-admin")).build());
    jwt.sign(new MACSigner(jwks.getBytes(StandardCharsets.UTF_8)));
    assertRefused(401, oidc(), jwt.serialize());
  }

  @Test
  void anotherIssuersTokenIsRefusedAndEkuipersTooWhenOnlyOidcIsEnabled() {
    String foreign =
        rs256(k1, "k1", claims("quin", List.of("kpm-admin")).issuer("https://evil.test").build());
    AuthException e = refused(oidc(), foreign);
    assertEquals(401, e.status());
    assertEquals(
        "validate token error: no enabled method (kpm.auth) accepts tokens of issuer"
            + " https://evil.test",
        e.getMessage());
    // A key file for it in etc/mgmt does not matter: the eKuiper method is off.
    TestJwts.writePublicKey(home.resolve("etc/mgmt"), "ekuiper.pub", k2);
    String ekuiper =
        rs256(
            k2,
            new JWTClaimsSet.Builder()
                .issuer("ekuiper.pub")
                .audience("eKuiper")
                .expirationTime(Date.from(Instant.now().plusSeconds(300)))
                .build());
    AuthException refusedEkuiper = refused(oidc(), ekuiper);
    assertEquals(401, refusedEkuiper.status());
    assertEquals(
        "validate token error: no enabled method (kpm.auth) accepts tokens of issuer ekuiper.pub",
        refusedEkuiper.getMessage());
    assertEquals(0, fetches.get(), "refused before any key was fetched");
  }

  @Test
  void aRotatedKeyIsFetchedButWithinTheRefreshLimitAnUnknownKidIsNot() {
    Authenticator auth = oidc();
    assertEquals(
        "rae",
        auth.authenticate(
                rs256(k1, "k1", claims("rae", List.of("kpm-viewer")).build()), CLIENT, "r")
            .subject());
    assertEquals(1, fetches.get());

    publish(Map.of("k2", k2)); // the provider rotates
    assertEquals(
        "sam",
        auth.authenticate(
                rs256(k2, "k2", claims("sam", List.of("kpm-viewer")).build()), CLIENT, "r")
            .subject());
    assertEquals(2, fetches.get(), "the unknown kid k2 refetched the key set");

    publish(Map.of("k2", k2, "k3", k3)); // published, but kpm may not look again yet
    String third = rs256(k3, "k3", claims("tia", List.of("kpm-viewer")).build());
    AuthException e = refused(auth, third);
    assertEquals(401, e.status(), e.getMessage());
    assertEquals(
        "validate token error: no key of the OIDC provider has kid k3, and its keys were fetched"
            + " less than kpm.auth.oidc.refreshLimit (PT4M) ago",
        e.getMessage());
    assertEquals(2, fetches.get(), "no fetch within the refresh limit");
    assertEquals(401, refused(auth, third).status());
    assertEquals(2, fetches.get());
  }

  @Test
  void withoutARefreshLimitEveryUnknownKidRefetches() {
    // The control of the test above: the same steps, and the third key is found.
    Authenticator auth = oidc("realm_access.roles", Duration.ZERO);
    auth.authenticate(rs256(k1, "k1", claims("rae", List.of("kpm-viewer")).build()), CLIENT, "r");
    publish(Map.of("k2", k2));
    auth.authenticate(rs256(k2, "k2", claims("sam", List.of("kpm-viewer")).build()), CLIENT, "r");
    publish(Map.of("k2", k2, "k3", k3));
    String third = rs256(k3, "k3", claims("tia", List.of("kpm-viewer")).build());
    assertEquals("tia", auth.authenticate(third, CLIENT, "r").subject());
    assertEquals(3, fetches.get());
  }

  @Test
  void whileTheProviderIsUnreachableKnownKeysStillVerifyAndAnUnknownKidIs503() {
    Authenticator auth = oidc();
    auth.authenticate(rs256(k1, "k1", claims("uma", List.of("kpm-viewer")).build()), CLIENT, "r");
    server.stop(0);
    // A new token under the cached key: verified without the provider.
    String cached = rs256(k1, "k1", claims("vic", List.of("kpm-operator")).build());
    assertEquals(Role.OPERATOR, auth.authenticate(cached, CLIENT, "r").role());
    String uncached = rs256(k2, "k2", claims("wes", List.of("kpm-viewer")).build());
    AuthException e = refused(auth, uncached);
    assertEquals(503, e.status(), e.getMessage());
    assertTrue(
        e.getMessage().startsWith("cannot fetch the OIDC provider's keys from " + jwksUrl()),
        e.getMessage());
  }

  @Test
  void aProviderNeverReachedIs503NotA401EvenOnceTheRefreshLimitHoldsTheFetchesBack() {
    server.stop(0);
    Authenticator auth = oidc();
    AuthException e = null;
    for (String sub : List.of("xan", "yul", "zed", "abe")) {
      String token = rs256(k1, "k1", claims(sub, List.of("kpm-viewer")).build());
      e = refused(auth, token);
      assertEquals(503, e.status(), e.getMessage());
      assertTrue(
          e.getMessage().startsWith("cannot fetch the OIDC provider's keys from " + jwksUrl()),
          e.getMessage());
    }
    // Two fetches per refresh limit: the last attempts were held back, and still are no 401.
    assertTrue(e.getMessage().contains("the last fetch failed"), e.getMessage());
  }

  @Test
  void aRefreshLimitNotShorterThanTheKeyCacheIsRefusedAsASetting() {
    for (Duration limit :
        List.of(Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofSeconds(-1))) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> oidc("realm_access.roles", limit));
      assertEquals(
          "setting kpm.auth.oidc.refreshLimit (KPM_OIDC_REFRESH_LIMIT) must be shorter than the"
              + " PT5M kpm keeps the provider's keys, got "
              + limit,
          e.getMessage());
    }
  }
}
