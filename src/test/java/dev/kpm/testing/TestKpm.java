package dev.kpm.testing;

import dev.kpm.KpmRuntime;
import dev.kpm.Settings;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Builds {@link Settings} for tests and starts a real {@link KpmRuntime} on a fresh database. */
public final class TestKpm {
  private TestKpm() {}

  /** Settings with the given home and database; everything else at its documented default. */
  public static Settings settings(Path home, TestDatabase.Coordinates db) {
    Map<Settings.Key, String> values =
        Map.of(
            Settings.Key.HOME, home.toString(),
            Settings.Key.DB_URL, db.url(),
            Settings.Key.DB_USER, db.user(),
            Settings.Key.DB_PASSWORD, db.password(),
            Settings.Key.DB_POOL_SIZE, "4");
    return Settings.load(key -> Optional.ofNullable(values.get(key)));
  }

  /** A running kpm on a fresh database with its home in {@code home}. */
  public static KpmRuntime start(Path home) {
    return KpmRuntime.start(settings(home, TestDatabase.fresh()));
  }
}
