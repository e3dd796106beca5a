package dev.kpm.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.kpm.threads.NamedThreads;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * The connection pool kpm talks to PostgreSQL through: the container's JNDI DataSource {@code
 * java:comp/env/jdbc/kpm} when one is bound (its pool belongs to the container), else a HikariCP
 * pool kpm owns and closes.
 */
public final class Database implements AutoCloseable {
  public static final String JNDI_NAME = "java:comp/env/jdbc/kpm";
  private static final Logger LOG = Logger.getLogger(Database.class.getName());
  private static final String POOL_NAME = "kpm-db";
  private static final Duration THREAD_EXIT_GRACE = Duration.ofSeconds(5);

  private final DataSource dataSource;
  private final String description;
  private final HikariDataSource owned;
  private final NamedThreads ownedThreads;
  private final Timeouts timeouts;

  private Database(
      DataSource dataSource,
      String description,
      HikariDataSource owned,
      NamedThreads threads,
      Timeouts timeouts) {
    this.dataSource = dataSource;
    this.description = description;
    this.owned = owned;
    this.ownedThreads = threads;
    this.timeouts = timeouts;
  }

  /**
   * How long kpm's own pool lets a database step wait: for a connection ({@code acquire}, also the
   * bound of opening one) and for one statement ({@code statement}, enforced by the server; the
   * client gives up on a server that stopped answering a few seconds later). A container's pool
   * (JNDI) is configured by the container.
   */
  public record Timeouts(Duration acquire, Duration statement) {
    static final Duration CLIENT_MARGIN = Duration.ofSeconds(2);

    long socketSeconds() {
      return statement.plus(CLIENT_MARGIN).plusMillis(999).toSeconds();
    }

    long connectSeconds() {
      return Math.max(1, acquire.plusMillis(999).toSeconds());
    }
  }

  /**
   * Opens the database: JNDI first, then {@code url}. Fails with a message naming the settings when
   * neither is configured.
   */
  public static Database open(
      Optional<String> url, String user, String password, int poolSize, Timeouts timeouts) {
    Optional<DataSource> jndi = lookupJndi();
    if (jndi.isPresent()) {
      return new Database(jndi.get(), "JNDI " + JNDI_NAME, null, null, timeouts);
    }
    String jdbcUrl =
        url.orElseThrow(
            () ->
                new IllegalStateException(
                    "no database configured: bind a DataSource at "
                        + JNDI_NAME
                        + ", or set DB_URL (system property kpm.db.url), DB_USER and DB_PASSWORD,"
                        + " or start kpm with its launcher, which runs an embedded PostgreSQL"));
    HikariConfig config = new HikariConfig();
    NamedThreads threads = NamedThreads.of(POOL_NAME + "-");
    config.setPoolName(POOL_NAME);
    config.setThreadFactory(threads);
    config.setJdbcUrl(jdbcUrl);
    // Load the driver through this class loader: DriverManager would refuse a copy of the driver
    // that a parent loader (e.g. the launcher's) registered first.
    config.setDriverClassName("org.postgresql.Driver");
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(1);
    config.setAutoCommit(false);
    config.setInitializationFailTimeout(10_000);
    bound(config, timeouts);
    HikariDataSource pool = new HikariDataSource(config);
    return new Database(pool, jdbcUrl, pool, threads, timeouts);
  }

  /**
   * Every database step is bounded: waiting for a pooled connection (and validating it), opening
   * one, and each statement — server-side, and client-side for a server that stopped answering
   * (frozen, or gone without closing the socket). A dead connection fails its validation and is
   * replaced, so a restarted server is used again without a restart of kpm.
   */
  private static void bound(HikariConfig config, Timeouts t) {
    long acquire = Math.max(500, t.acquire().toMillis());
    config.setConnectionTimeout(acquire);
    config.setValidationTimeout(Math.max(250, Math.min(acquire / 2, 2_000)));
    config.addDataSourceProperty("connectTimeout", Long.toString(t.connectSeconds()));
    config.addDataSourceProperty("loginTimeout", Long.toString(t.connectSeconds()));
    config.addDataSourceProperty("socketTimeout", Long.toString(t.socketSeconds()));
    config.addDataSourceProperty("tcpKeepAlive", "true");
    config.addDataSourceProperty("options", "-c statement_timeout=" + t.statement().toMillis());
  }

  private static Optional<DataSource> lookupJndi() {
    try {
      InitialContext context = new InitialContext();
      try {
        return Optional.of((DataSource) context.lookup(JNDI_NAME));
      } finally {
        context.close();
      }
    } catch (NamingException | RuntimeException e) {
      return Optional.empty();
    }
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * A connection of its own for a long-lived session ({@code LISTEN}), in auto-commit, whose reads
   * may block up to {@code readTimeout}: opened outside kpm's pool, with the pool's URL and
   * credentials, so it never takes a pooled connection away. With a container's pool (JNDI) there
   * are no credentials to open one: a connection is borrowed from it for as long as it is needed.
   * The caller closes it.
   */
  public Connection dedicatedConnection(Duration readTimeout) throws SQLException {
    Connection c;
    if (owned == null) {
      c = dataSource.getConnection();
    } else {
      java.util.Properties props = new java.util.Properties();
      props.setProperty("user", owned.getUsername());
      props.setProperty("password", owned.getPassword() == null ? "" : owned.getPassword());
      props.setProperty("connectTimeout", Long.toString(timeouts.connectSeconds()));
      props.setProperty("socketTimeout", Long.toString(Math.max(1, readTimeout.toSeconds())));
      props.setProperty("tcpKeepAlive", "true");
      props.setProperty("ApplicationName", "kpm-fleet-listen");
      c = new org.postgresql.Driver().connect(owned.getJdbcUrl(), props);
      if (c == null) {
        throw new SQLException("not a PostgreSQL URL: " + owned.getJdbcUrl());
      }
    }
    c.setAutoCommit(true);
    return c;
  }

  /**
   * Whether every connection comes with auto-commit off: true for kpm's own pool, unknown (so
   * false) for a container's.
   */
  public boolean disablesAutoCommit() {
    return owned != null;
  }

  /**
   * Whether the database answers now: one connection from the pool (within its acquire timeout) and
   * the driver's validation round trip (within the statement timeout, at least 1 s), the cheapest
   * statement there is. For {@code GET /ready}; the caller caches the answer.
   *
   * @throws DatabaseUnavailableException when it does not
   */
  public void ping() {
    int seconds = (int) Math.max(1, timeouts.statement().plusMillis(999).toSeconds());
    try (Connection c = dataSource.getConnection()) {
      if (!c.isValid(seconds)) {
        throw new DatabaseUnavailableException(
            "the database did not answer a validation within " + seconds + " s", null);
      }
    } catch (SQLException e) {
      throw new DatabaseUnavailableException("no database connection: " + e.getMessage(), e);
    }
  }

  /** How busy a pool is; {@code pending} counts the threads waiting for a connection. */
  public record PoolUsage(int active, int idle, int total, int pending, int max) {}

  /**
   * The usage of kpm's own pool now, empty when the container's DataSource is used (its pool is the
   * container's to report) or before the pool has started.
   */
  public Optional<PoolUsage> poolUsage() {
    if (owned == null) {
      return Optional.empty();
    }
    HikariPoolMXBean pool = owned.getHikariPoolMXBean();
    if (pool == null) {
      return Optional.empty();
    }
    return Optional.of(
        new PoolUsage(
            pool.getActiveConnections(),
            pool.getIdleConnections(),
            pool.getTotalConnections(),
            pool.getThreadsAwaitingConnection(),
            owned.getMaximumPoolSize()));
  }

  /**
   * After an outage: closes kpm's own pool's idle connections now and its busy ones when they are
   * returned, so the next steps open fresh ones. A connection used just before the server stopped
   * would otherwise be handed out without validation (the pool skips it for a connection used
   * within the last half second) and fail once more after a quick restart. A container's pool
   * (JNDI) validates by its own settings.
   */
  public void dropConnections() {
    if (owned != null) {
      HikariPoolMXBean pool = owned.getHikariPoolMXBean();
      if (pool != null) {
        pool.softEvictConnections();
      }
    }
  }

  /** Whether kpm owns the pool (no JNDI DataSource was bound). */
  public boolean ownsPool() {
    return owned != null;
  }

  /** Where the connections go, without credentials: for the start-up log. */
  public String description() {
    return description;
  }

  @Override
  public void close() throws InterruptedException {
    if (owned != null) {
      owned.close();
      if (!ownedThreads.awaitExit(THREAD_EXIT_GRACE)) {
        LOG.warning("threads of the kpm-db connection pool still run after " + THREAD_EXIT_GRACE);
      }
      LOG.info("closed the kpm-db connection pool");
    }
  }
}
