package dev.kpm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.Settings;
import dev.kpm.shaded.com.nimbusds.jwt.JWTClaimsSet;
import dev.kpm.testing.ApiTest;
import dev.kpm.testing.HomeAssertions;
import dev.kpm.testing.TestJwts;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kpm with {@code kpm.auth=ekuiper} over real HTTP: eKuiper's clients send the JWT bare in {@code
 * Authorization}, signed by a key whose public half is a file in {@code <home>/etc/mgmt} (written
 * here after kpm started, as an operator would drop it in). The security filter guards the fast
 * read path and JAX-RS alike, leaves {@code /ping} and {@code /} public, and hands JAX-RS the
 * caller as its principal.
 */
class EkuiperAuthIT extends ApiTest {
  private static final String ISSUER = "edge.pub";
  private static final ObjectMapper JSON = new ObjectMapper();
  private java.security.KeyPair keys;

  @Override
  protected Map<Settings.Key, String> settings() {
    return Map.of(Settings.Key.AUTH, "ekuiper");
  }

  @BeforeAll
  void dropTheKeyIntoEtcMgmt() {
    keys = TestJwts.rsa();
    TestJwts.writePublicKey(kpm.home().resolve("etc/mgmt"), ISSUER, keys);
  }

  private String token(String subject, List<String> roles) {
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .audience("eKuiper")
            .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1))));
    if (subject != null) {
      claims.subject(subject);
    }
    if (roles != null) {
      claims.claim("roles", roles);
    }
    return TestJwts.rs256(keys, claims.build());
  }

  private String admin() {
    return token("ops", null);
  }

  private Invocation.Builder as(String path, String authorization) {
    Invocation.Builder request = target(path).request();
    return authorization == null ? request : request.header("Authorization", authorization);
  }

  private static void assertError(Response r, int status, String message) {
    assertEquals(status, r.getStatus());
    assertEquals("application/json", r.getMediaType().toString());
    assertEquals("{\"error\":1000,\"message\":\"" + message + "\"}\n", r.readEntity(String.class));
  }

  @Test
  void withoutAuthorizationTheFastAndJaxRsPathsAre401MissingTokenWithAChallenge() {
    for (String path : List.of("plugins/sources", "plugins/portables", "auth/me")) {
      Response r = as(path, null).get();
      assertEquals("Bearer realm=\"kpm\"", r.getHeaderString("WWW-Authenticate"), path);
      assertError(r, 401, "missing_token");
    }
  }

  @Test
  void aCredentialThatDoesNotVerifyIs401InvalidTokenNeverA500() {
    // The second is a JWT whose header is JSON null: nimbus threw NullPointerException on it.
    for (String credential : List.of("garbage", "bnVsbA.e30.e30")) {
      Response r = as("plugins/sources", credential).get();
      assertEquals(
          "Bearer realm=\"kpm\", error=\"invalid_token\"", r.getHeaderString("WWW-Authenticate"));
      assertError(
          r, 401, "validate token error: token is malformed: neither a kpm token nor a signed JWT");
    }
    Response wrongAudience =
        as(
                "plugins/sources",
                TestJwts.rs256(
                    keys, new JWTClaimsSet.Builder().issuer(ISSUER).audience("kpm").build()))
            .get();
    assertError(wrongAudience, 401, "audience field should contain eKuiper, but got [kpm]");
  }

  @Test
  void aBareTokenReadsThroughTheFastPathAndJaxRs() {
    Response fast = as("plugins/sources", admin()).get();
    assertEquals(200, fast.getStatus());
    assertTrue(fast.readEntity(String.class).startsWith("["));
    Response jaxRs = as("plugins/portables", admin()).get();
    assertEquals(200, jaxRs.getStatus());
    assertTrue(jaxRs.readEntity(String.class).startsWith("["));
    assertEquals(200, as("plugins/sinks", "Bearer " + admin()).get().getStatus());
  }

  @Test
  void pingAndTheServerInfoNeedNoToken() throws Exception {
    Response ping = as("ping", null).get();
    assertEquals(200, ping.getStatus());
    Response info = as("", null).get();
    assertEquals(200, info.getStatus());
    JsonNode body = JSON.readTree(info.readEntity(String.class));
    assertTrue(body.get("version").isTextual(), body.toString());
    assertTrue(body.get("os").isTextual(), body.toString());
    assertTrue(body.get("arch").isTextual(), body.toString());
    assertTrue(body.get("upTimeSeconds").canConvertToLong(), body.toString());
  }

  @Test
  void aViewerCannotInstallAndNothingIsInstalledWhileAnAdminCan() {
    String viewer = token("viewer-bot", List.of("viewer"));
    Response refused = as("plugins/sources", viewer).post(installBody("guarded"));
    assertError(
        refused,
        403,
        "POST /plugins/sources needs the admin role; viewer-bot (ekuiper) has viewer");
    HomeAssertions.assertNoTrace(kpm, "sources", "guarded");
    assertEquals(404, as("plugins/sources/guarded", viewer).get().getStatus());

    // The same request with an admin's token installs: the refusal was the role's alone.
    Response installed = as("plugins/sources", admin()).post(installBody("guarded"));
    assertEquals(201, installed.getStatus(), installed.readEntity(String.class));
    assertEquals(200, as("plugins/sources/guarded", viewer).get().getStatus());
  }

  private Entity<String> installBody(String name) {
    String upper = Character.toUpperCase(name.charAt(0)) + name.substring(1);
    Path zip =
        TestPlugins.zip(
            fixtures.resolve("sources-" + name + ".zip"),
            List.of(
                Entry.file(upper + "@v1.0.0.so", "so"),
                Entry.file(name + ".yaml", "default: {}\n")));
    return Entity.entity(
        "{\"name\":\"" + name + "\",\"file\":\"file://" + zip + "\"}", MediaType.APPLICATION_JSON);
  }

  @Test
  void authMeReportsTheCallerJaxRsWasHanded() throws Exception {
    Response r =
        as("auth/me", token("alice", List.of("operator"))).header("X-Request-Id", "it-me-1").get();
    assertEquals(200, r.getStatus());
    assertEquals("it-me-1", r.getHeaderString("X-Request-Id"));
    JsonNode me = JSON.readTree(r.readEntity(String.class));
    assertEquals("alice", me.get("subject").asText());
    assertEquals("ekuiper", me.get("method").asText());
    assertEquals("operator", me.get("role").asText());
    assertEquals("it-me-1", me.get("requestId").asText());
    assertTrue(
        InetAddress.getByName(me.get("clientAddress").asText()).isLoopbackAddress(), me.toString());

    // eKuiper's tokens often carry no sub: the issuer, the key file's name, stands in.
    JsonNode anonymous =
        JSON.readTree(as("auth/me", token(null, null)).get().readEntity(String.class));
    assertEquals(ISSUER, anonymous.get("subject").asText());
    assertEquals("admin", anonymous.get("role").asText());
  }
}
