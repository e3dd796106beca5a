package dev.kpm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * kpm's configuration, built once at start-up and never changed. Each setting is looked up as a
 * system property, then an environment variable, then a JNDI environment entry ({@code
 * java:comp/env/<jndi name>}), then its default.
 *
 * @param home the kpm home folder with eKuiper's layout (plugins, etc, data)
 * @param httpPort the HTTP port of the standalone launcher
 * @param dbUrl the JDBC URL of PostgreSQL; empty when a JNDI DataSource {@code jdbc/kpm} is used
 * @param dbPoolSize the maximum number of pooled connections kpm opens itself
 * @param workerThreads threads of kpm's own executor (when the container offers none)
 * @param shutdownGrace how long each component may take to stop
 */
public record Settings(
    Path home,
    int httpPort,
    Optional<String> dbUrl,
    String dbUser,
    String dbPassword,
    int dbPoolSize,
    int workerThreads,
    Duration shutdownGrace) {

  /** The documented settings: system property, environment variable, JNDI entry, default. */
  public enum Key {
    HOME("kpm.home", "KPM_HOME", "kpm/home", "kpm-home"),
    HTTP_PORT("kpm.port", "KPM_PORT", "kpm/port", "9081"),
    DB_URL("kpm.db.url", "DB_URL", "kpm/db.url", null),
    DB_USER("kpm.db.user", "DB_USER", "kpm/db.user", "postgres"),
    DB_PASSWORD("kpm.db.password", "DB_PASSWORD", "kpm/db.password", ""),
    DB_POOL_SIZE("kpm.db.poolSize", "KPM_DB_POOL_SIZE", "kpm/db.poolSize", "10"),
    WORKER_THREADS("kpm.workers", "KPM_WORKERS", "kpm/workers", "8"),
    SHUTDOWN_GRACE("kpm.shutdownGrace", "KPM_SHUTDOWN_GRACE", "kpm/shutdownGrace", "PT10S");

    public final String property;
    public final String env;
    public final String jndi;
    final String fallback;

    Key(String property, String env, String jndi, String fallback) {
      this.property = property;
      this.env = env;
      this.jndi = jndi;
      this.fallback = fallback;
    }
  }

  /** Where raw values come from; {@link SettingSources} has the standard chain. */
  @FunctionalInterface
  public interface Source {
    Optional<String> get(Key key);
  }

  public static Settings load(Source source) {
    Function<Key, String> value = key -> source.get(key).orElse(key.fallback);
    return new Settings(
        Path.of(value.apply(Key.HOME)).toAbsolutePath().normalize(),
        positive(Key.HTTP_PORT, value.apply(Key.HTTP_PORT)),
        Optional.ofNullable(value.apply(Key.DB_URL)).filter(s -> !s.isBlank()),
        value.apply(Key.DB_USER),
        value.apply(Key.DB_PASSWORD),
        positive(Key.DB_POOL_SIZE, value.apply(Key.DB_POOL_SIZE)),
        positive(Key.WORKER_THREADS, value.apply(Key.WORKER_THREADS)),
        duration(Key.SHUTDOWN_GRACE, value.apply(Key.SHUTDOWN_GRACE)));
  }

  private static int positive(Key key, String raw) {
    try {
      int n = Integer.parseInt(raw.trim());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below with the setting's name
    }
    throw new IllegalArgumentException(
        "setting "
            + key.property
            + " ("
            + key.env
            + ") must be a positive integer, got '"
            + raw
            + "'");
  }

  private static Duration duration(Key key, String raw) {
    try {
      return Duration.parse(raw.trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "setting "
              + key.property
              + " ("
              + key.env
              + ") must be an ISO-8601 duration such as"
              + " PT10S, got '"
              + raw
              + "'",
          e);
    }
  }
}
