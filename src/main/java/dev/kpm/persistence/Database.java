package dev.kpm.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
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
  private final PoolThreads ownedThreads;

  private Database(
      DataSource dataSource, String description, HikariDataSource owned, PoolThreads threads) {
    this.dataSource = dataSource;
    this.description = description;
    this.owned = owned;
    this.ownedThreads = threads;
  }

  /**
   * Opens the database: JNDI first, then {@code url}. Fails with a message naming the settings when
   * neither is configured.
   */
  public static Database open(Optional<String> url, String user, String password, int poolSize) {
    Optional<DataSource> jndi = lookupJndi();
    if (jndi.isPresent()) {
      return new Database(jndi.get(), "JNDI " + JNDI_NAME, null, null);
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
    PoolThreads threads = new PoolThreads(POOL_NAME + "-");
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
    HikariDataSource pool = new HikariDataSource(config);
    return new Database(pool, jdbcUrl, pool, threads);
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
   * Whether every connection comes with auto-commit off: true for kpm's own pool, unknown (so
   * false) for a container's.
   */
  public boolean disablesAutoCommit() {
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
