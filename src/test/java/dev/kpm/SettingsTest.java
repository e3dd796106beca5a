package dev.kpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class SettingsTest {

  private static Settings load(Properties properties, Map<String, String> env) {
    return Settings.load(
        SettingSources.chain(
            properties,
            env,
            key -> key == Settings.Key.HTTP_PORT ? Optional.of("7000") : Optional.empty()));
  }

  @Test
  void defaultsApplyWhenNothingIsSet() {
    Settings settings = Settings.load(key -> Optional.empty());
    assertEquals(Path.of("kpm-home").toAbsolutePath(), settings.home());
    assertEquals(9081, settings.httpPort());
    assertEquals(Optional.empty(), settings.db().url());
    assertEquals("postgres", settings.db().user());
    assertEquals(Duration.ofSeconds(10), settings.shutdownGrace());
  }

  @Test
  void systemPropertyWinsOverEnvironmentWhichWinsOverJndi() {
    Properties properties = new Properties();
    properties.setProperty("kpm.db.url", "jdbc:postgresql://prop/db");
    Settings settings =
        load(properties, Map.of("DB_URL", "jdbc:postgresql://env/db", "KPM_HOME", "/srv/kpm"));
    assertEquals(Optional.of("jdbc:postgresql://prop/db"), settings.db().url());
    assertEquals(Path.of("/srv/kpm"), settings.home());
    assertEquals(7000, settings.httpPort());
  }

  @Test
  void aBadNumberNamesTheSettingAndItsVariable() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> load(new Properties(), Map.of("KPM_PORT", "x")));
    assertTrue(e.getMessage().contains("kpm.port (KPM_PORT)"), e.getMessage());
  }

  @Test
  void theEngineCheckDefaultsToEnforceWithoutABinaryAndRefusesUnknownModes() {
    Settings.Engine engine = Settings.load(key -> Optional.empty()).install().engine();
    assertEquals(Optional.empty(), engine.binary());
    assertEquals("enforce", engine.check());
    assertEquals(false, engine.refuseUnknown());
    Settings.Engine set =
        load(
                new Properties(),
                Map.of(
                    "KPM_ENGINE_BINARY", "/opt/kuiper/bin/kuiperd",
                    "KPM_ENGINE_CHECK", "WARN",
                    "KPM_ENGINE_UNKNOWN", "refuse"))
            .install()
            .engine();
    assertEquals(Optional.of(Path.of("/opt/kuiper/bin/kuiperd")), set.binary());
    assertEquals("warn", set.check());
    assertTrue(set.refuseUnknown());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> load(new Properties(), Map.of("KPM_ENGINE_CHECK", "strict")));
    assertEquals("kpm.engine.check must be enforce, warn or off, got 'strict'", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> load(new Properties(), Map.of("KPM_ENGINE_UNKNOWN", "maybe")));
    assertEquals("kpm.engine.unknown must be install or refuse, got 'maybe'", e.getMessage());
  }

  @Test
  void installLimitsDefaultToSpecAPartValues() {
    Settings.Install install = Settings.load(key -> Optional.empty()).install();
    assertEquals(Duration.ofMinutes(5), install.downloadTimeout());
    assertEquals(512L << 20, install.maxDownloadBytes());
    assertEquals(10_000, install.maxZipEntries());
    assertEquals(1L << 30, install.maxZipBytes());
    assertEquals(200, install.maxZipRatio());
    assertEquals(Duration.ofMinutes(5), install.scriptTimeout());
    assertEquals(false, install.confineFileUrls());
    assertEquals(false, install.blockPrivateNetworks());
    assertEquals(List.of(), install.allowedHosts());
    assertEquals(List.of("https://packages.emqx.io"), install.pluginHosts());
  }

  @Test
  void listsAreCommaSeparatedAndTrimmed() {
    Settings settings =
        load(new Properties(), Map.of("KPM_ALLOWED_HOSTS", " a.example , ,b.example"));
    assertEquals(List.of("a.example", "b.example"), settings.install().allowedHosts());
  }

  @Test
  void aBadFlagNamesTheSetting() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> load(new Properties(), Map.of("KPM_CONFINE_FILE_URLS", "maybe")));
    assertTrue(e.getMessage().contains("kpm.download.confineFiles"), e.getMessage());
  }

  @Test
  void aBadDurationNamesTheSetting() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> load(new Properties(), Map.of("KPM_SHUTDOWN_GRACE", "10s")));
    assertTrue(e.getMessage().contains("kpm.shutdownGrace"), e.getMessage());
  }

  @Test
  void tlsIsOffByDefault() {
    Settings.Tls tls = Settings.load(key -> Optional.empty()).tls();
    assertEquals(false, tls.enabled());
    assertEquals(Optional.empty(), tls.keyAlias());
    assertEquals(0, tls.redirectPort());
  }

  @Test
  void tlsSettingsAreReadAndThePasswordIsNeverPrinted() {
    Settings.Tls tls =
        load(
                new Properties(),
                Map.of(
                    "KPM_TLS_KEYSTORE", "/etc/kpm/kpm.p12",
                    "KPM_TLS_KEYSTORE_PASSWORD", "s3cret",
                    "KPM_TLS_KEY_ALIAS", "kpm",
                    "KPM_TLS_REDIRECT_PORT", "9080"))
            .tls();
    assertEquals(Optional.of(Path.of("/etc/kpm/kpm.p12")), tls.keystore());
    assertEquals("s3cret", tls.keystorePassword());
    assertEquals(Optional.of("kpm"), tls.keyAlias());
    assertEquals(9080, tls.redirectPort());
    assertTrue(tls.enabled());
    assertFalse(tls.toString().contains("s3cret"), tls.toString());
  }

  @Test
  void aBadRedirectPortNamesTheSetting() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> load(new Properties(), Map.of("KPM_TLS_REDIRECT_PORT", "70000")));
    assertTrue(
        e.getMessage().contains("kpm.tls.redirectPort (KPM_TLS_REDIRECT_PORT)"), e.getMessage());
  }

  @Test
  void theFleetDefaultsToA5SecondHeartbeatDownAfter15SecondsAndTheHostNameAsAddress() {
    Settings.Fleet fleet = Settings.load(key -> Optional.empty()).fleet();
    assertEquals("", fleet.address(), "empty: the runtime uses the host name");
    assertEquals(Duration.ofSeconds(5), fleet.heartbeat());
    assertEquals(Duration.ofSeconds(15), fleet.downAfter());
    Settings.Fleet set =
        load(
                new Properties(),
                Map.of(
                    "KPM_NODE_ADDRESS", " https://kpm-3.example:9081 ",
                    "KPM_FLEET_HEARTBEAT", "PT1S",
                    "KPM_FLEET_DOWN_AFTER", "PT2S",
                    "KPM_FLEET_RECONCILE", "PT10S",
                    "KPM_NODE_ARCH", "arm64",
                    "KPM_FLEET_ARTIFACT_GRACE", "PT10M"))
            .fleet();
    assertEquals(
        new Settings.Fleet(
            "https://kpm-3.example:9081",
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(10),
            "arm64",
            Duration.ofMinutes(10)),
        set);
    assertEquals(Duration.ofHours(1), fleet.artifactGrace());
    assertEquals(Duration.ofSeconds(30), fleet.reconcile());
    assertEquals("", fleet.arch(), "empty: this JVM's");
  }

  @Test
  void aNodeArchitectureIsAGoArchitectureName() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> load(new Properties(), Map.of("KPM_NODE_ARCH", "x86 64")).fleet());
    assertTrue(e.getMessage().contains("kpm.node.arch"), e.getMessage());
  }

  @Test
  void aNodeIsNeverDownBetweenTwoHeartbeats() {
    for (String downAfter : List.of("PT5S", "PT4S")) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  load(
                      new Properties(),
                      Map.of("KPM_FLEET_HEARTBEAT", "PT5S", "KPM_FLEET_DOWN_AFTER", downAfter)));
      assertTrue(
          e.getMessage()
              .startsWith(
                  "setting kpm.fleet.downAfter (KPM_FLEET_DOWN_AFTER) must be longer than"
                      + " kpm.fleet.heartbeat (KPM_FLEET_HEARTBEAT)"),
          e.getMessage());
    }
    IllegalArgumentException zero =
        assertThrows(
            IllegalArgumentException.class,
            () -> load(new Properties(), Map.of("KPM_FLEET_HEARTBEAT", "PT0S")));
    assertTrue(zero.getMessage().contains("kpm.fleet.heartbeat (KPM_FLEET_HEARTBEAT)"));
  }

  @Test
  void aNodeAddressIsOnePrintableWordOfAtMost255Characters() {
    for (String bad : List.of("kpm 3.example", "kpm\u00e9.example", "a".repeat(256))) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> load(new Properties(), Map.of("KPM_NODE_ADDRESS", bad)));
      assertTrue(
          e.getMessage().startsWith("setting kpm.node.address (KPM_NODE_ADDRESS) must be"),
          e.getMessage());
    }
    assertEquals(
        "a".repeat(255),
        load(new Properties(), Map.of("KPM_NODE_ADDRESS", "a".repeat(255))).fleet().address());
  }
}
