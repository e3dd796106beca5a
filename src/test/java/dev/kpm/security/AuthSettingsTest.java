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

  @Test
  void oidcWithoutIssuerOrWithABadJwksUrlOrRoleMappingIsRefused() {
    Path home = Path.of("target");
    Duration limit = Duration.ofSeconds(10);
    List<String> roles = List.of("kpm-admin=admin");
    IllegalArgumentException noIssuer =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Authenticator.of(
                    List.of("oidc"),
                    home,
                    false,
                    new Authenticator.OidcSettings(
                        "", "kpm", "https://idp/jwks", "roles", roles, limit),
                    Optional.empty(),
                    Clock.systemUTC()));
    assertTrue(noIssuer.getMessage().contains("kpm.auth.oidc.issuer"), noIssuer.getMessage());
    IllegalArgumentException badUrl =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Authenticator.of(
                    List.of("oidc"),
                    home,
                    false,
                    new Authenticator.OidcSettings(
                        "https://idp", "kpm", "ftp://idp/jwks", "roles", roles, limit),
                    Optional.empty(),
                    Clock.systemUTC()));
    assertTrue(badUrl.getMessage().contains("kpm.auth.oidc.jwksUrl"), badUrl.getMessage());
    IllegalArgumentException badRoles =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Authenticator.of(
                    List.of("oidc"),
                    home,
                    false,
                    new Authenticator.OidcSettings(
                        "https://idp",
                        "kpm",
                        "https://idp/jwks",
                        "roles",
                        List.of("kpm-admin=root"),
                        limit),
                    Optional.empty(),
                    Clock.systemUTC()));
    assertTrue(badRoles.getMessage().contains("kpm.auth.oidc.roles"), badRoles.getMessage());
  }
}
