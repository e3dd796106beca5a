package dev.kpm.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code kpm.auth} and the OIDC settings: a mistyped value stops the start, naming the setting. */
class AuthSettingsTest {
  private static String refusal(List<String> methods) {
    return assertThrows(IllegalArgumentException.class, () -> Authenticator.parse(methods))
        .getMessage();
  }

  @Test
  void theMethodsParseCaseInsensitivelyAndNoneIsNoMethod() {
    assertEquals(EnumSet.noneOf(AuthMethod.class), Authenticator.parse(List.of("none")));
    assertEquals(
        EnumSet.of(AuthMethod.TOKEN, AuthMethod.EKUIPER, AuthMethod.OIDC),
        Authenticator.parse(List.of("Token", " ekuiper", "OIDC")));
  }

  @Test
  void noneBesideAnotherMethodAnUnknownWordOrNothingAreRefused() {
    assertTrue(refusal(List.of("none", "token")).contains("cannot combine none"));
    assertEquals(
        "setting kpm.auth (KPM_AUTH) knows none, token, ekuiper and oidc, got 'jwt'",
        refusal(List.of("token", "jwt")));
    assertTrue(refusal(List.of()).startsWith("setting kpm.auth (KPM_AUTH) is empty"));
  }

  /** Why an oidc-only authenticator with these settings does not start. */
  private static String oidcRefusal(String issuer, String jwksUrl, List<String> roles) {
    Authenticator.OidcSettings oidc =
        new Authenticator.OidcSettings(
            issuer, "kpm", jwksUrl, "roles", roles, Duration.ofSeconds(10));
    return assertThrows(
            IllegalArgumentException.class,
            () ->
                Authenticator.of(
                    List.of("oidc"),
                    Path.of("target"),
                    false,
                    oidc,
                    Optional.empty(),
                    Clock.systemUTC()))
        .getMessage();
  }

  @Test
  void oidcWithoutIssuerOrWithABadJwksUrlOrRoleMappingIsRefused() {
    List<String> roles = List.of("kpm-admin=admin");
    String noIssuer = oidcRefusal("", "https://idp/jwks", roles);
    assertTrue(noIssuer.contains("kpm.auth.oidc.issuer"), noIssuer);
    String badUrl = oidcRefusal("https://idp", "ftp://idp/jwks", roles);
    assertTrue(badUrl.contains("kpm.auth.oidc.jwksUrl"), badUrl);
    String badRoles = oidcRefusal("https://idp", "https://idp/jwks", List.of("kpm-admin=root"));
    assertTrue(badRoles.contains("kpm.auth.oidc.roles"), badRoles);
  }
}
