package dev.kpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
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
    assertEquals(Optional.empty(), settings.dbUrl());
    assertEquals("postgres", settings.dbUser());
    assertEquals(Duration.ofSeconds(10), settings.shutdownGrace());
  }

  @Test
  void systemPropertyWinsOverEnvironmentWhichWinsOverJndi() {
    Properties properties = new Properties();
    properties.setProperty("kpm.db.url", "jdbc:postgresql://prop/db");
    Settings settings =
        load(properties, Map.of("DB_URL", "jdbc:postgresql://env/db", "KPM_HOME", "/srv/kpm"));
    assertEquals(Optional.of("jdbc:postgresql://prop/db"), settings.dbUrl());
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
  void aBadDurationNamesTheSetting() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> load(new Properties(), Map.of("KPM_SHUTDOWN_GRACE", "10s")));
    assertTrue(e.getMessage().contains("kpm.shutdownGrace"), e.getMessage());
  }
}
