package dev.kpm.security;

import static dev.kpm.testing.TestJwts.base64url;
import static dev.kpm.testing.TestJwts.rs256;
import static dev.kpm.testing.TestJwts.writePublicKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.shaded.com.nimbusds.jose.JWSAlgorithm;
import dev.kpm.shaded.com.nimbusds.jose.JWSHeader;
import dev.kpm.shaded.com.nimbusds.jose.crypto.MACSigner;
import dev.kpm.shaded.com.nimbusds.jwt.JWTClaimsSet;
import dev.kpm.shaded.com.nimbusds.jwt.SignedJWT;
import dev.kpm.testing.Await;
import dev.kpm.testing.TestJwts;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * eKuiper's JWT scheme end to end through {@link Authenticator}: real RSA keys generated here,
 * their public halves written as PEM files into {@code <home>/etc/mgmt} (the file name is the
 * token's {@code iss}), tokens signed with nimbus-jose-jwt as eKuiper's own tooling signs them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EkuiperJwtAuthTest {
  private static final String ISSUER = "ekuiper.pub";
  private static final String CLIENT = "192.0.2.7";

  private KeyPair keys;
  private KeyPair other;
  @TempDir Path home;
  private Path mgmt;
  private MutableClock clock;

  @BeforeAll
  void generateKeys() {
    keys = TestJwts.rsa();
    other = TestJwts.rsa();
  }

  @BeforeEach
  void writeKey() {
    mgmt = home.resolve("etc/mgmt");
    writePublicKey(mgmt, ISSUER, keys);
    clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  }

  private Authenticator authenticator(boolean requireExp) {
    return Authenticator.of(
        List.of("ekuiper"),
        home,
        requireExp,
        new Authenticator.OidcSettings("", "kpm", "", "realm_access.roles", List.of(), null),
        Optional.empty(),
        clock);
  }

  private Authenticator authenticator() {
    return authenticator(false);
  }

  /** Claims as eKuiper's tokens carry them: iss = key file, aud eKuiper, an hour to live. */
  private JWTClaimsSet.Builder claims() {
    Instant now = clock.instant();
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience("eKuiper")
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(Duration.ofHours(1))));
  }

  private String token(JWTClaimsSet.Builder claims) {
    return rs256(keys, claims.build());
  }

  private static AuthException refused(Authenticator auth, String header) {
    return assertThrows(AuthException.class, () -> auth.authenticate(header, CLIENT, "r1"));
  }

  private static void assertRefused(int status, String message, Authenticator auth, String header) {
    AuthException e = refused(auth, header);
    assertEquals(status, e.status(), e.getMessage());
    assertEquals(message, e.getMessage());
  }

  private static void assertRefusedContaining(
      int status, String part, Authenticator auth, String header) {
    AuthException e = refused(auth, header);
    assertEquals(status, e.status(), e.getMessage());
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }

  @Test
  void aValidBareTokenIsAnAdminNamedByItsSubject() {
    Caller caller = authenticator().authenticate(token(claims().subject("alice")), CLIENT, "req-1");
    assertEquals(new Caller("alice", AuthMethod.EKUIPER, Role.ADMIN, CLIENT, "req-1"), caller);
  }

  @Test
  void aBearerTokenIsAcceptedLikeABareOneAndWithoutSubIsNamedByItsIssuer() {
    Authenticator auth = authenticator();
    String token = token(claims());
    assertEquals(ISSUER, auth.authenticate("Bearer " + token, CLIENT, "r").subject());
    assertEquals(ISSUER, auth.authenticate("bearer   " + token + " ", CLIENT, "r").subject());
  }

  @Test
  void aRememberedTokenAnswersWithTheAddressAndIdOfTheCurrentRequest() {
    Authenticator auth = authenticator();
    String token = token(claims().subject("bob"));
    auth.authenticate(token, "198.51.100.1", "first");
    Caller second = auth.authenticate(token, "198.51.100.2", "second");
    assertEquals("198.51.100.2", second.clientAddress());
    assertEquals("second", second.requestId());
    assertEquals("bob", second.subject());
  }

  @Test
  void aTokenExpiredLongerThanTheSkewIsRefusedAndOneWithinTheSkewIsNot() {
    Instant now = clock.instant();
    String within = token(claims().expirationTime(Date.from(now.minusSeconds(20))));
    String beyond = token(claims().expirationTime(Date.from(now.minusSeconds(31))));
    Authenticator auth = authenticator();
    assertEquals(Role.ADMIN, auth.authenticate(within, CLIENT, "r").role());
    assertRefused(
        401, "validate token error: token has invalid claims: token is expired", auth, beyond);
  }

  @Test
  void aRememberedTokenIsRefusedOnceItHasExpired() {
    Authenticator auth = authenticator();
    String token = token(claims().expirationTime(Date.from(clock.instant().plusSeconds(60))));
    auth.authenticate(token, CLIENT, "r");
    clock.advance(Duration.ofSeconds(59));
    auth.authenticate(token, CLIENT, "r");
    clock.advance(Duration.ofSeconds(32)); // exp + 31 s: past the skew too
    assertRefused(
        401, "validate token error: token has invalid claims: token is expired", auth, token);
  }

  @Test
  void aTokenNotValidYetIsRefused() {
    String token = token(claims().notBeforeTime(Date.from(clock.instant().plusSeconds(120))));
    assertRefused(
        401,
        "validate token error: token has invalid claims: token is not valid yet",
        authenticator(),
        token);
  }

  @Test
  void aTokenIssuedInTheFutureIsRefused() {
    String token = token(claims().issueTime(Date.from(clock.instant().plusSeconds(120))));
    assertRefused(
        401,
        "validate token error: token has invalid claims: token used before issued",
        authenticator(),
        token);
  }

  @Test
  void aTokenForAnotherAudienceIsRefusedWithEkuipersMessage() {
    Authenticator auth = authenticator();
    assertRefused(
        401,
        "audience field should contain eKuiper, but got [x]",
        auth,
        token(claims().audience("x")));
    assertRefused(
        401,
        "audience field should contain eKuiper, but got [a b]",
        auth,
        token(claims().audience(List.of("a", "b"))));
    assertRefused(
        401,
        "audience field should contain eKuiper, but got []",
        auth,
        token(claims().audience((String) null)));
    assertEquals(
        Role.ADMIN,
        auth.authenticate(token(claims().audience(List.of("x", "eKuiper"))), CLIENT, "r").role());
  }

  @Test
  void aTokenWithoutIssuerIsRefusedWithEkuipersMessage() {
    assertRefused(
        401,
        "validate token error: issuer field not exist in jwt payload",
        authenticator(),
        token(claims().issuer(null)));
  }

  @Test
  void aTokenOfAnIssuerWithoutKeyFileIsRefused() {
    String token = rs256(keys, claims().issuer("nobody.pub").build());
    assertRefused(
        401,
        "validate token error: not found target key file nobody.pub in etc/mgmt",
        authenticator(),
        token);
  }

  @Test
  void aTokenSignedByAnotherKeyIsRefused() {
    String token = rs256(other, claims().build());
    assertRefusedContaining(401, "signature is invalid", authenticator(), token);
  }

  @Test
  void aTamperedPayloadIsRefused() {
    String[] parts = token(claims().claim("roles", "viewer")).split("\\.");
    String raised = base64url(claims().claim("roles", "admin").build().toString());
    String tampered = parts[0] + "." + raised + "." + parts[2];
    assertRefusedContaining(401, "signature is invalid", authenticator(), tampered);
  }

  @Test
  void aTamperedSignatureIsRefused() {
    String token = token(claims());
    int at = token.lastIndexOf('.') + 10;
    char flipped = token.charAt(at) == 'A' ? 'B' : 'A';
    String tampered = token.substring(0, at) + flipped + token.substring(at + 1);
    assertNotEquals(token, tampered);
    assertRefusedContaining(401, "signature is invalid", authenticator(), tampered);
  }

  @Test
  void anHs256TokenIsRefusedEvenWhenItsSecretIsThePublicKeyFile() throws Exception {
    // The algorithm-confusion attack: the public key is no secret.
    byte[] secret = Files.readAllBytes(mgmt.resolve(ISSUER));
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims().build());
    jwt.sign(new MACSigner(secret));
    assertRefused(
        401,
        "validate token error: signing method HS256 is invalid: eKuiper's tokens are RS256",
        authenticator(),
        jwt.serialize());
  }

  @Test
  void anUnsignedTokenIsRefused() {
    String payload = base64url(claims().build().toString());
    Authenticator auth = authenticator();
    for (String header : List.of("{\"alg\":\"none\"}", "{\"alg\":\"none\",\"typ\":\"JWT\"}")) {
      String unsigned = base64url(header) + "." + payload + ".";
      assertEquals(401, refused(auth, unsigned).status());
      String withSignature = unsigned + token(claims()).split("\\.")[2];
      assertEquals(401, refused(auth, withSignature).status());
    }
  }

  @Test
  void aPs256TokenIsRefusedThoughItsKeyIsTheRightOne() {
    String token = TestJwts.sign(keys, new JWSHeader.Builder(JWSAlgorithm.PS256), claims().build());
    assertRefusedContaining(401, "signing method PS256 is invalid", authenticator(), token);
  }

  @Test
  void theRolesClaimNamesTheRoleAndTheHighestOfSeveralWins() {
    Authenticator auth = authenticator();
    assertEquals(
        Role.VIEWER,
        auth.authenticate(token(claims().claim("roles", "viewer")), CLIENT, "r").role());
    assertEquals(
        Role.OPERATOR,
        auth.authenticate(token(claims().claim("roles", List.of("operator"))), CLIENT, "r").role());
    assertEquals(
        Role.OPERATOR,
        auth.authenticate(
                token(claims().claim("roles", List.of("viewer", "operator", "guest"))), CLIENT, "r")
            .role());
    assertEquals(
        Role.ADMIN,
        auth.authenticate(token(claims().claim("roles", List.of("Admin"))), CLIENT, "r").role());
  }

  @Test
  void aRolesClaimNamingNoKpmRoleIsForbiddenNotAdmin() {
    Authenticator auth = authenticator();
    assertRefused(
        403,
        "the token's roles claim names no kpm role (viewer, operator or admin)",
        auth,
        token(claims().claim("roles", List.of("superuser"))));
    assertEquals(403, refused(auth, token(claims().claim("roles", List.of()))).status());
    assertEquals(403, refused(auth, token(claims().claim("roles", 7))).status());
  }

  @Test
  void withRequireExpATokenWithoutExpIsRefusedAndWithoutItAccepted() {
    String token = token(claims().expirationTime(null));
    assertRefused(
        401,
        "validate token error: token has no exp claim, and kpm.auth.requireExp is on",
        authenticator(true),
        token);
    assertEquals(Role.ADMIN, authenticator(false).authenticate(token, CLIENT, "r").role());
    assertEquals(Role.ADMIN, authenticator(true).authenticate(token(claims()), CLIENT, "r").role());
  }

  @Test
  void aKeyFileAddedWhileRunningValidatesItsTokensAndRemovingItRefusesTheRememberedOnes()
      throws IOException {
    Authenticator auth = authenticator();
    KeyPair late = other;
    String token = rs256(late, claims().issuer("late.pub").subject("carol").build());
    assertRefused(
        401, "validate token error: not found target key file late.pub in etc/mgmt", auth, token);

    writePublicKey(mgmt, "late.pub", late);
    Caller caller =
        Await.value(
            "the token is valid once late.pub is in etc/mgmt",
            Duration.ofSeconds(10),
            () -> {
              try {
                return auth.authenticate(token, CLIENT, "r");
              } catch (AuthException e) {
                return null;
              }
            });
    assertEquals("carol", caller.subject());
    assertEquals("carol", auth.authenticate(token, CLIENT, "r").subject(), "remembered");

    Files.delete(mgmt.resolve("late.pub"));
    // Remembered for its hour, yet refused as soon as the folder shows the key gone.
    Await.until(
        "the remembered token is refused once late.pub is gone",
        Duration.ofSeconds(10),
        () -> statusOf(auth, token) == 401);
    assertRefused(
        401, "validate token error: not found target key file late.pub in etc/mgmt", auth, token);
    assertEquals(Role.ADMIN, auth.authenticate(token(claims()), CLIENT, "r").role(), "others");
  }

  private static int statusOf(Authenticator auth, String token) {
    try {
      auth.authenticate(token, CLIENT, "r");
      return 200;
    } catch (AuthException e) {
      return e.status();
    }
  }

  @Test
  void theIssuerMatchesItsKeyFileWithoutRegardToCase() {
    writePublicKey(mgmt, "Edge-Node.PUB", other);
    Authenticator auth = authenticator();
    for (String issuer : List.of("edge-node.pub", "EDGE-NODE.PUB", "Edge-Node.PUB")) {
      String token = rs256(other, claims().issuer(issuer).build());
      assertEquals(issuer, auth.authenticate(token, CLIENT, "r").subject());
    }
  }

  @Test
  void privateKeysAndOtherFilesInTheKeyFolderAreIgnoredWithoutBreakingTheKeys() throws IOException {
    Files.writeString(mgmt.resolve("ekuiper.key"), TestJwts.privatePem(keys.getPrivate()));
    Files.writeString(mgmt.resolve("notes.txt"), "not a key at all\n");
    Files.writeString(mgmt.resolve("broken.pub"), "-----BEGIN PUBLIC KEY-----\nAAAA\n");
    Files.write(mgmt.resolve("empty.pub"), new byte[0]);
    Files.createDirectories(mgmt.resolve("sub.pub"));
    Authenticator auth = authenticator();
    assertEquals(Role.ADMIN, auth.authenticate(token(claims()), CLIENT, "r").role());
    for (String issuer :
        List.of("ekuiper.key", "notes.txt", "broken.pub", "empty.pub", "sub.pub")) {
      assertRefused(
          401,
          "validate token error: not found target key file " + issuer + " in etc/mgmt",
          auth,
          rs256(keys, claims().issuer(issuer).build()));
    }
  }

  @Test
  void anRsaPublicKeyInPkcs1PemVerifiesItsTokens() throws IOException {
    RSAPublicKey pub = (RSAPublicKey) other.getPublic();
    byte[] der = sequence(integer(pub.getModulus()), integer(pub.getPublicExponent()));
    Files.writeString(mgmt.resolve("pkcs1.pub"), TestJwts.pem("RSA PUBLIC KEY", der));
    String token = rs256(other, claims().issuer("pkcs1.pub").build());
    assertEquals("pkcs1.pub", authenticator().authenticate(token, CLIENT, "r").subject());
    String forged = rs256(keys, claims().issuer("pkcs1.pub").build());
    assertRefusedContaining(401, "signature is invalid", authenticator(), forged);
  }

  @Test
  void aCertificateVerifiesTheTokensOfItsKey(@TempDir Path work) throws Exception {
    // A self-signed certificate made by the JDK's keytool, its private key signs the token.
    Path store = work.resolve("ks.p12");
    keytool(
        "-genkeypair",
        "-alias",
        "k",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=kpm-test",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        store.toString(),
        "-storepass",
        "changeit",
        "-keypass",
        "changeit");
    Path cert = mgmt.resolve("cert.pem");
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "k",
        "-keystore",
        store.toString(),
        "-storepass",
        "changeit",
        "-file",
        cert.toString());
    assertTrue(Files.readString(cert).contains("-----BEGIN CERTIFICATE-----"));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(store)) {
      ks.load(in, "changeit".toCharArray());
    }
    Certificate c = ks.getCertificate("k");
    KeyPair pair =
        new KeyPair(c.getPublicKey(), (PrivateKey) ks.getKey("k", "changeit".toCharArray()));
    String token = rs256(pair, claims().issuer("cert.pem").build());
    assertEquals("cert.pem", authenticator().authenticate(token, CLIENT, "r").subject());
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool finished");
    assertEquals(0, p.exitValue(), out);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "garbage",
        "a.b",
        "a.b.c",
        "..",
        "e30.e30.",
        "e30.e30.e30",
        "bnVsbA.e30.e30",
        "e30.bnVsbA.e30",
        "eyJhbGciOiJSUzI1NiJ9.bnVsbA.e30",
        "eyJhbGciOiJSUzI1NiJ9.MQ.e30",
        "eyJhbGciOiJSUzI1NiJ9.IngiXQ.e30",
        "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.e30",
        "eyJhbGciOiJSUzI1NiJ9.W10.e30",
        "eyJhbGciOjV9.e30.e30",
        "eyJhbGciOiJSUzI1NiJ9.eyJleHAiOiJ0b21vcnJvdyJ9.e30",
        "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjV9.e30",
        "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOlsiZWt1aXBlci5wdWIiXX0.e30",
        "eyJhbGciOiJSUzI1NiIsImNyaXQiOlsiZXhwIl19.eyJpc3MiOiJla3VpcGVyLnB1YiJ9.e30",
        "kpm_notatoken",
        "Basic dXNlcjpwYXNz"
      })
  void aGarbageCredentialIsA401NotACrash(String credential) {
    Authenticator auth = authenticator();
    assertEquals(401, refused(auth, credential).status(), credential);
    assertEquals(401, refused(auth, "Bearer " + credential).status(), credential);
  }

  @Test
  void noCredentialIsMissingToken() {
    Authenticator auth = authenticator();
    for (String header : java.util.Arrays.asList(null, "", "   ", "Bearer ", "Bearer    ")) {
      assertRefused(401, "missing_token", auth, header);
    }
  }

  @Test
  void anOverlongCredentialIsRefusedBeforeParsing() {
    String token = token(claims().claim("pad", "x".repeat(Authenticator.MAX_CREDENTIAL_CHARS)));
    assertRefused(401, "validate token error: credential too long", authenticator(), token);
  }

  @Test
  void anEkuiperTokenIsRefusedWhenOnlyKpmTokensAreEnabled() {
    Authenticator auth =
        Authenticator.of(
            List.of("token"),
            home,
            false,
            new Authenticator.OidcSettings("", "kpm", "", "realm_access.roles", List.of(), null),
            Optional.empty(),
            clock);
    assertRefused(
        401,
        "validate token error: no enabled method (kpm.auth) accepts tokens of issuer ekuiper.pub",
        auth,
        token(claims()));
  }

  private static byte[] sequence(byte[]... parts) {
    int length = 0;
    for (byte[] p : parts) {
      length += p.length;
    }
    byte[] body = new byte[length];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, body, at, p.length);
      at += p.length;
    }
    return tagged(0x30, body);
  }

  private static byte[] integer(BigInteger value) {
    return tagged(0x02, value.toByteArray());
  }

  private static byte[] tagged(int tag, byte[] body) {
    byte[] length =
        body.length < 0x80
            ? new byte[] {(byte) body.length}
            : body.length < 0x100
                ? new byte[] {(byte) 0x81, (byte) body.length}
                : new byte[] {(byte) 0x82, (byte) (body.length >> 8), (byte) body.length};
    byte[] out = new byte[1 + length.length + body.length];
    out[0] = (byte) tag;
    System.arraycopy(length, 0, out, 1, length.length);
    System.arraycopy(body, 0, out, 1 + length.length, body.length);
    return out;
  }
}
