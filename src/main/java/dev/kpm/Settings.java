package dev.kpm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * kpm's configuration, built once at start-up and never changed. Each setting is looked up as a
 * system property, then an environment variable, then a JNDI environment entry ({@code
 * java:comp/env/<jndi name>}), then its default ({@link Key}).
 *
 * @param home the kpm home folder with eKuiper's layout (plugins, etc, data)
 * @param httpPort the port of the standalone launcher: HTTP, or HTTPS when {@link Tls#enabled()}
 * @param ownsJvm true when kpm runs in its own launcher: {@code ?stop=1} then exits the JVM (100)
 * @param testPauseAt test-only pause points of the install pipeline; empty in production
 */
public record Settings(
    Path home,
    int httpPort,
    Db db,
    Install install,
    int workerThreads,
    Duration shutdownGrace,
    boolean ownsJvm,
    Portable portable,
    Tls tls,
    Auth auth,
    Audit audit,
    String testPauseAt,
    Fleet fleet) {

  /**
   * This node in the fleet of kpm nodes sharing one database (README "Fleet").
   *
   * @param address how operators and other nodes reach this node ({@code kpm.node.address}); empty:
   *     the host name
   * @param heartbeat how often this node writes its heartbeat
   * @param downAfter a node whose last heartbeat (database clock) is older is down; longer than
   *     {@code heartbeat}
   */
  /**
   * The fleet (docs/api.md §8.17, README "Fleet").
   *
   * @param address how operators and other nodes reach this node
   * @param heartbeat how often the node writes its heartbeat
   * @param downAfter a node whose heartbeat is older is down
   * @param reconcile how often the node compares the fleet's generation with its own, the backstop
   *     for a missed notification
   * @param arch the architecture native plugins must be built for on this node, as GOARCH names it
   *     (amd64, arm64…); empty: this JVM's
   * @param artifactGrace how long a stored archive no plugin refers to is kept before one node's
   *     garbage collection deletes it; the collection runs at most once per grace
   */
  public record Fleet(
      String address,
      Duration heartbeat,
      Duration downAfter,
      Duration reconcile,
      String arch,
      Duration artifactGrace) {}

  /**
   * The audit trail (docs/api.md §12).
   *
   * @param nodeId this kpm's name in the audit (and, later, the fleet); empty: derived from the
   *     host name and the home folder, stable across restarts
   * @param retention how long events are kept before the daily purge removes them
   */
  public record Audit(String nodeId, Duration retention) {}

  /**
   * TLS on the standalone launcher's own port ({@code httpPort}); a container's deployment
   * configures TLS in the container instead.
   *
   * @param keystore a PKCS#12 keystore with the server's key and certificate chain; empty: plain
   *     HTTP
   * @param keystorePassword the keystore's password, which is also its key's
   * @param keyAlias the key entry to serve; empty: the keystore's only key entry
   * @param redirectPort a plain HTTP port that answers every request with a redirect to the HTTPS
   *     port; 0: none
   */
  public record Tls(
      Optional<Path> keystore,
      String keystorePassword,
      Optional<String> keyAlias,
      int redirectPort) {
    public boolean enabled() {
      return keystore.isPresent();
    }

    @Override
    public String toString() {
      // Never the password, whoever prints the settings.
      return "Tls[keystore="
          + keystore
          + ", keyAlias="
          + keyAlias
          + ", redirectPort="
          + redirectPort
          + "]";
    }
  }

  /**
   * Who may call kpm (docs/api.md §10).
   *
   * @param methods the enabled ways in: {@code none} alone, or some of {@code token}, {@code
   *     ekuiper}, {@code oidc}
   * @param protectedMode with {@code none}: only loopback clients are served
   * @param trustedProxies addresses or CIDR blocks whose {@code X-Forwarded-For} is believed
   * @param requireExp an eKuiper-scheme JWT without {@code exp} is refused
   * @param maxFailures failed authentications one client may make per minute; then 429
   * @param maxBodyBytes the largest request body an endpoint reads (uploads have their own cap)
   * @param corsOrigins origins a browser may call kpm from; empty: CORS off
   */
  public record Auth(
      List<String> methods,
      boolean protectedMode,
      List<String> trustedProxies,
      boolean requireExp,
      Oidc oidc,
      Duration tokenMaxLifetime,
      int maxFailures,
      long maxBodyBytes,
      List<String> corsOrigins) {}

  /**
   * An OpenID Connect provider whose access tokens kpm accepts.
   *
   * @param roleClaim where the provider puts roles, a dotted path such as {@code
   *     realm_access.roles}
   * @param roles provider role → kpm role, e.g. {@code kpm-admin=admin}
   * @param refreshLimit the window in which the JWKS is fetched at most twice (a token with an
   *     unknown {@code kid} refetches it); shorter than the five minutes kpm keeps the keys
   */
  public record Oidc(
      String issuer,
      String audience,
      String jwksUrl,
      String roleClaim,
      List<String> roles,
      Duration refreshLimit) {}

  /**
   * The portable plugin host.
   *
   * @param socketDir where the ipc socket files live; eKuiper's SDKs dial {@code /tmp}
   * @param crashLoopRestarts after this many crashes within {@code crashLoopWindow} a plugin is no
   *     longer restarted, until it is updated or created again
   */
  public record Portable(
      String pythonBin,
      Duration handshakeTimeout,
      Duration stopGrace,
      Path socketDir,
      int crashLoopRestarts,
      Duration crashLoopWindow) {}

  /**
   * The database.
   *
   * @param url JDBC URL; empty when a JNDI DataSource {@code jdbc/kpm} is bound
   * @param poolSize the maximum number of pooled connections kpm opens itself
   * @param acquireTimeout how long a database step waits for a connection of kpm's own pool
   * @param statementTimeout how long one SQL statement may run; a frozen server is given up on a
   *     little later (the client-side socket timeout)
   */
  public record Db(
      Optional<String> url,
      String user,
      String password,
      int poolSize,
      Duration acquireTimeout,
      Duration statementTimeout) {}

  /**
   * Limits and policies of the install pipeline (docs/api.md §9.10, §9.12–§9.14), and of uploads,
   * which fetch URLs with the same downloads.
   *
   * @param maxUploadBytes the largest upload: a form's body, a fetched file (docs/api.md §11)
   */
  public record Install(
      Duration downloadTimeout,
      long maxDownloadBytes,
      long maxUploadBytes,
      boolean confineFileUrls,
      boolean blockPrivateNetworks,
      List<String> allowedHosts,
      int maxZipEntries,
      long maxZipBytes,
      int maxZipRatio,
      Duration scriptTimeout,
      List<String> pluginHosts,
      String engineVersion,
      Engine engine,
      Duration prebuildVerifyTtl) {}

  /**
   * The eKuiper server binary native plugins are checked against before they are installed (README
   * "Compatibility check").
   *
   * @param binary {@code kpm.engine.binary}; empty: no check
   * @param check {@code enforce} (refuse a plugin the engine would not load), {@code warn} (install
   *     and report) or {@code off}
   * @param refuseUnknown {@code kpm.engine.unknown=refuse}: refuse a {@code .so} kpm cannot check
   */
  public record Engine(Optional<Path> binary, String check, boolean refuseUnknown) {}

  /** The documented settings: system property, environment variable, JNDI entry, default. */
  public enum Key {
    HOME("kpm.home", "KPM_HOME", "kpm/home", "kpm-home"),
    HTTP_PORT("kpm.port", "KPM_PORT", "kpm/port", "9081"),
    DB_URL("kpm.db.url", "DB_URL", "kpm/db.url", ""),
    DB_USER("kpm.db.user", "DB_USER", "kpm/db.user", "postgres"),
    DB_PASSWORD("kpm.db.password", "DB_PASSWORD", "kpm/db.password", ""),
    DB_POOL_SIZE("kpm.db.poolSize", "KPM_DB_POOL_SIZE", "kpm/db.poolSize", "10"),
    DB_ACQUIRE_TIMEOUT(
        "kpm.db.acquireTimeout", "KPM_DB_ACQUIRE_TIMEOUT", "kpm/db.acquireTimeout", "PT5S"),
    DB_STATEMENT_TIMEOUT(
        "kpm.db.statementTimeout", "KPM_DB_STATEMENT_TIMEOUT", "kpm/db.statementTimeout", "PT5S"),
    WORKER_THREADS("kpm.workers", "KPM_WORKERS", "kpm/workers", "8"),
    SHUTDOWN_GRACE("kpm.shutdownGrace", "KPM_SHUTDOWN_GRACE", "kpm/shutdownGrace", "PT10S"),
    OWNS_JVM("kpm.ownsJvm", "KPM_OWNS_JVM", "kpm/ownsJvm", "false"),
    DOWNLOAD_TIMEOUT(
        "kpm.download.timeout", "KPM_DOWNLOAD_TIMEOUT", "kpm/download.timeout", "PT5M"),
    DOWNLOAD_MAX_BYTES(
        "kpm.download.maxBytes", "KPM_DOWNLOAD_MAX_BYTES", "kpm/download.maxBytes", "536870912"),
    UPLOADS_MAX_BYTES(
        "kpm.uploads.maxBytes", "KPM_UPLOADS_MAX_BYTES", "kpm/uploads.maxBytes", "536870912"),
    CONFINE_FILE_URLS(
        "kpm.download.confineFiles", "KPM_CONFINE_FILE_URLS", "kpm/download.confineFiles", "false"),
    BLOCK_PRIVATE_NETWORKS(
        "kpm.download.blockPrivateNetworks",
        "KPM_BLOCK_PRIVATE_NETWORKS",
        "kpm/download.blockPrivateNetworks",
        "false"),
    ALLOWED_HOSTS(
        "kpm.download.allowedHosts", "KPM_ALLOWED_HOSTS", "kpm/download.allowedHosts", ""),
    ZIP_MAX_ENTRIES("kpm.zip.maxEntries", "KPM_ZIP_MAX_ENTRIES", "kpm/zip.maxEntries", "10000"),
    ZIP_MAX_BYTES("kpm.zip.maxBytes", "KPM_ZIP_MAX_BYTES", "kpm/zip.maxBytes", "1073741824"),
    ZIP_MAX_RATIO("kpm.zip.maxRatio", "KPM_ZIP_MAX_RATIO", "kpm/zip.maxRatio", "200"),
    SCRIPT_TIMEOUT("kpm.script.timeout", "KPM_SCRIPT_TIMEOUT", "kpm/script.timeout", "PT5M"),
    PLUGIN_HOSTS(
        "kpm.pluginHosts", "KPM_PLUGIN_HOSTS", "kpm/pluginHosts", "https://packages.emqx.io"),
    ENGINE_VERSION("kpm.engineVersion", "KPM_ENGINE_VERSION", "kpm/engineVersion", "2.0.0"),
    PREBUILD_VERIFY_TTL(
        "kpm.prebuild.verifyTtl", "KPM_PREBUILD_VERIFY_TTL", "kpm/prebuild.verifyTtl", "PT1H"),
    ENGINE_BINARY("kpm.engine.binary", "KPM_ENGINE_BINARY", "kpm/engine.binary", ""),
    ENGINE_CHECK("kpm.engine.check", "KPM_ENGINE_CHECK", "kpm/engine.check", "enforce"),
    ENGINE_UNKNOWN("kpm.engine.unknown", "KPM_ENGINE_UNKNOWN", "kpm/engine.unknown", "install"),
    PYTHON_BIN("kpm.portable.pythonBin", "KPM_PYTHON_BIN", "kpm/portable.pythonBin", "python"),
    HANDSHAKE_TIMEOUT(
        "kpm.portable.handshakeTimeout",
        "KPM_HANDSHAKE_TIMEOUT",
        "kpm/portable.handshakeTimeout",
        "PT60S"),
    PORTABLE_STOP_GRACE(
        "kpm.portable.stopGrace", "KPM_PORTABLE_STOP_GRACE", "kpm/portable.stopGrace", "PT5S"),
    SOCKET_DIR("kpm.portable.socketDir", "KPM_SOCKET_DIR", "kpm/portable.socketDir", "/tmp"),
    CRASH_LOOP_RESTARTS(
        "kpm.portable.crashLoop.restarts",
        "KPM_CRASH_LOOP_RESTARTS",
        "kpm/portable.crashLoop.restarts",
        "5"),
    TLS_KEYSTORE("kpm.tls.keystore", "KPM_TLS_KEYSTORE", "kpm/tls.keystore", ""),
    TLS_KEYSTORE_PASSWORD(
        "kpm.tls.keystorePassword", "KPM_TLS_KEYSTORE_PASSWORD", "kpm/tls.keystorePassword", ""),
    TLS_KEY_ALIAS("kpm.tls.keyAlias", "KPM_TLS_KEY_ALIAS", "kpm/tls.keyAlias", ""),
    TLS_REDIRECT_PORT("kpm.tls.redirectPort", "KPM_TLS_REDIRECT_PORT", "kpm/tls.redirectPort", "0"),
    AUTH("kpm.auth", "KPM_AUTH", "kpm/auth", "none"),
    AUTH_PROTECTED_MODE(
        "kpm.auth.protectedMode", "KPM_AUTH_PROTECTED_MODE", "kpm/auth.protectedMode", "true"),
    AUTH_TRUSTED_PROXIES(
        "kpm.auth.trustedProxies", "KPM_AUTH_TRUSTED_PROXIES", "kpm/auth.trustedProxies", ""),
    AUTH_REQUIRE_EXP("kpm.auth.requireExp", "KPM_AUTH_REQUIRE_EXP", "kpm/auth.requireExp", "false"),
    OIDC_ISSUER("kpm.auth.oidc.issuer", "KPM_OIDC_ISSUER", "kpm/auth.oidc.issuer", ""),
    OIDC_AUDIENCE("kpm.auth.oidc.audience", "KPM_OIDC_AUDIENCE", "kpm/auth.oidc.audience", "kpm"),
    OIDC_JWKS_URL("kpm.auth.oidc.jwksUrl", "KPM_OIDC_JWKS_URL", "kpm/auth.oidc.jwksUrl", ""),
    OIDC_ROLE_CLAIM(
        "kpm.auth.oidc.roleClaim",
        "KPM_OIDC_ROLE_CLAIM",
        "kpm/auth.oidc.roleClaim",
        "realm_access.roles"),
    OIDC_ROLES(
        "kpm.auth.oidc.roles",
        "KPM_OIDC_ROLES",
        "kpm/auth.oidc.roles",
        "kpm-admin=admin,kpm-operator=operator,kpm-viewer=viewer"),
    OIDC_REFRESH_LIMIT(
        "kpm.auth.oidc.refreshLimit",
        "KPM_OIDC_REFRESH_LIMIT",
        "kpm/auth.oidc.refreshLimit",
        "PT10S"),
    TOKEN_MAX_LIFETIME(
        "kpm.auth.tokenMaxLifetime",
        "KPM_AUTH_TOKEN_MAX_LIFETIME",
        "kpm/auth.tokenMaxLifetime",
        "P366D"),
    AUTH_MAX_FAILURES(
        "kpm.auth.maxFailures", "KPM_AUTH_MAX_FAILURES", "kpm/auth.maxFailures", "20"),
    MAX_BODY_BYTES(
        "kpm.http.maxBodyBytes", "KPM_MAX_BODY_BYTES", "kpm/http.maxBodyBytes", "1048576"),
    CORS_ORIGINS("kpm.cors.origins", "KPM_CORS_ORIGINS", "kpm/cors.origins", ""),
    NODE_ID("kpm.node.id", "KPM_NODE_ID", "kpm/node.id", ""),
    AUDIT_RETENTION("kpm.audit.retention", "KPM_AUDIT_RETENTION", "kpm/audit.retention", "P365D"),
    TEST_PAUSE_AT("kpm.test.pauseAt", "KPM_TEST_PAUSE_AT", "kpm/test.pauseAt", ""),
    CRASH_LOOP_WINDOW(
        "kpm.portable.crashLoop.window",
        "KPM_CRASH_LOOP_WINDOW",
        "kpm/portable.crashLoop.window",
        "PT1M"),
    NODE_ADDRESS("kpm.node.address", "KPM_NODE_ADDRESS", "kpm/node.address", ""),
    FLEET_HEARTBEAT("kpm.fleet.heartbeat", "KPM_FLEET_HEARTBEAT", "kpm/fleet.heartbeat", "PT5S"),
    FLEET_DOWN_AFTER("kpm.fleet.downAfter", "KPM_FLEET_DOWN_AFTER", "kpm/fleet.downAfter", "PT15S"),
    FLEET_RECONCILE("kpm.fleet.reconcile", "KPM_FLEET_RECONCILE", "kpm/fleet.reconcile", "PT30S"),
    NODE_ARCH("kpm.node.arch", "KPM_NODE_ARCH", "kpm/node.arch", ""),
    FLEET_ARTIFACT_GRACE(
        "kpm.fleet.artifactGrace", "KPM_FLEET_ARTIFACT_GRACE", "kpm/fleet.artifactGrace", "PT1H");

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
    SettingValues v = new SettingValues(source);
    return new Settings(
        Path.of(v.text(Key.HOME)).toAbsolutePath().normalize(),
        (int) v.positive(Key.HTTP_PORT),
        new Db(
            Optional.of(v.text(Key.DB_URL)).filter(s -> !s.isBlank()),
            v.text(Key.DB_USER),
            v.text(Key.DB_PASSWORD),
            (int) v.positive(Key.DB_POOL_SIZE),
            v.duration(Key.DB_ACQUIRE_TIMEOUT),
            v.duration(Key.DB_STATEMENT_TIMEOUT)),
        install(v),
        (int) v.positive(Key.WORKER_THREADS),
        v.duration(Key.SHUTDOWN_GRACE),
        v.flag(Key.OWNS_JVM),
        new Portable(
            v.text(Key.PYTHON_BIN),
            v.duration(Key.HANDSHAKE_TIMEOUT),
            v.duration(Key.PORTABLE_STOP_GRACE),
            Path.of(v.text(Key.SOCKET_DIR)),
            (int) v.positive(Key.CRASH_LOOP_RESTARTS),
            v.duration(Key.CRASH_LOOP_WINDOW)),
        new Tls(
            nonBlank(v.text(Key.TLS_KEYSTORE)).map(p -> Path.of(p).toAbsolutePath().normalize()),
            v.text(Key.TLS_KEYSTORE_PASSWORD),
            nonBlank(v.text(Key.TLS_KEY_ALIAS)),
            v.portOrZero(Key.TLS_REDIRECT_PORT)),
        auth(v),
        new Audit(nodeId(v.text(Key.NODE_ID)), v.duration(Key.AUDIT_RETENTION)),
        v.text(Key.TEST_PAUSE_AT),
        fleet(v));
  }

  /** The longest kpm.node.address: the column that stores it. */
  static final int MAX_ADDRESS = 255;

  private static Fleet fleet(SettingValues v) {
    String address = v.text(Key.NODE_ADDRESS).strip();
    if (address.length() > MAX_ADDRESS || !address.matches("[\\x21-\\x7e]*")) {
      throw new IllegalArgumentException(
          "setting kpm.node.address (KPM_NODE_ADDRESS) must be at most "
              + MAX_ADDRESS
              + " printable ASCII characters without spaces (a host name, host:port or URL), got '"
              + address
              + "'");
    }
    Duration heartbeat = v.duration(Key.FLEET_HEARTBEAT);
    Duration downAfter = v.duration(Key.FLEET_DOWN_AFTER);
    if (downAfter.compareTo(heartbeat) <= 0) {
      throw new IllegalArgumentException(
          "setting kpm.fleet.downAfter (KPM_FLEET_DOWN_AFTER) must be longer than"
              + " kpm.fleet.heartbeat (KPM_FLEET_HEARTBEAT), or every node would be down between"
              + " two heartbeats; got "
              + downAfter
              + " and "
              + heartbeat);
    }
    Duration reconcile = v.duration(Key.FLEET_RECONCILE);
    if (reconcile.compareTo(Duration.ofMillis(100)) < 0) {
      throw new IllegalArgumentException(
          "setting kpm.fleet.reconcile (KPM_FLEET_RECONCILE) must be at least 0.1 s, got "
              + reconcile);
    }
    String arch = v.text(Key.NODE_ARCH).strip();
    if (!arch.matches("[a-z0-9]{0,16}")) {
      throw new IllegalArgumentException(
          "setting kpm.node.arch (KPM_NODE_ARCH) must be an architecture as Go names it (amd64,"
              + " arm64, 386, arm…), got '"
              + arch
              + "'");
    }
    Duration grace = v.duration(Key.FLEET_ARTIFACT_GRACE);
    if (grace.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException(
          "setting kpm.fleet.artifactGrace (KPM_FLEET_ARTIFACT_GRACE) must be at least 1 s, got "
              + grace);
    }
    return new Fleet(address, heartbeat, downAfter, reconcile, arch, grace);
  }

  private static String nodeId(String id) {
    if (!id.isEmpty() && !id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
      throw new IllegalArgumentException(
          "kpm.node.id must be 1 to 128 letters, digits, '.', '_' or '-', starting with a letter"
              + " or digit, got '"
              + id
              + "'");
    }
    return id;
  }

  private static Auth auth(SettingValues v) {
    return new Auth(
        list(v.text(Key.AUTH).toLowerCase(java.util.Locale.ROOT)),
        v.flag(Key.AUTH_PROTECTED_MODE),
        list(v.text(Key.AUTH_TRUSTED_PROXIES)),
        v.flag(Key.AUTH_REQUIRE_EXP),
        new Oidc(
            v.text(Key.OIDC_ISSUER).strip(),
            v.text(Key.OIDC_AUDIENCE).strip(),
            v.text(Key.OIDC_JWKS_URL).strip(),
            v.text(Key.OIDC_ROLE_CLAIM).strip(),
            list(v.text(Key.OIDC_ROLES)),
            v.duration(Key.OIDC_REFRESH_LIMIT)),
        v.duration(Key.TOKEN_MAX_LIFETIME),
        (int) v.positive(Key.AUTH_MAX_FAILURES),
        v.positive(Key.MAX_BODY_BYTES),
        list(v.text(Key.CORS_ORIGINS)));
  }

  private static Install install(SettingValues v) {
    return new Install(
        v.duration(Key.DOWNLOAD_TIMEOUT),
        v.positive(Key.DOWNLOAD_MAX_BYTES),
        v.positive(Key.UPLOADS_MAX_BYTES),
        v.flag(Key.CONFINE_FILE_URLS),
        v.flag(Key.BLOCK_PRIVATE_NETWORKS),
        list(v.text(Key.ALLOWED_HOSTS)),
        (int) v.positive(Key.ZIP_MAX_ENTRIES),
        v.positive(Key.ZIP_MAX_BYTES),
        (int) v.positive(Key.ZIP_MAX_RATIO),
        v.duration(Key.SCRIPT_TIMEOUT),
        list(v.text(Key.PLUGIN_HOSTS)),
        v.text(Key.ENGINE_VERSION),
        engine(v),
        v.duration(Key.PREBUILD_VERIFY_TTL));
  }

  private static Engine engine(SettingValues v) {
    String check = v.text(Key.ENGINE_CHECK).strip().toLowerCase(java.util.Locale.ROOT);
    if (!List.of("enforce", "warn", "off").contains(check)) {
      throw new IllegalArgumentException(
          "kpm.engine.check must be enforce, warn or off, got '" + check + "'");
    }
    String unknown = v.text(Key.ENGINE_UNKNOWN).strip().toLowerCase(java.util.Locale.ROOT);
    if (!List.of("install", "refuse").contains(unknown)) {
      throw new IllegalArgumentException(
          "kpm.engine.unknown must be install or refuse, got '" + unknown + "'");
    }
    return new Engine(
        nonBlank(v.text(Key.ENGINE_BINARY)).map(p -> Path.of(p).toAbsolutePath().normalize()),
        check,
        unknown.equals("refuse"));
  }

  private static Optional<String> nonBlank(String raw) {
    return Optional.of(raw.strip()).filter(s -> !s.isEmpty());
  }

  /** A comma-separated list, entries trimmed, empty entries dropped. */
  static List<String> list(String raw) {
    return Arrays.stream(raw.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }
}
