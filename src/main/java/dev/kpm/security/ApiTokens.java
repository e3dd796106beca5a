package dev.kpm.security;

import dev.kpm.audit.Act;
import dev.kpm.audit.AuditAction;
import dev.kpm.audit.AuditTrail;
import dev.kpm.persistence.Transactions;
import dev.kpm.threads.NamedThreads;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * kpm's API tokens: created, listed and revoked by admins, verified on every request.
 *
 * <p>Verification reads memory, not the database: every live token's hash is cached (loaded at
 * start, refreshed every {@link #REFRESH}), so a database outage does not turn valid tokens into
 * 401s; a well-formed secret whose hash is not cached is looked up once (during an outage: 503).
 * {@code last_used_at} is collected in memory and written in one batch every {@link #REFRESH}. A
 * revocation takes effect at once on this node, and on other nodes of a fleet at their next
 * refresh.
 */
public final class ApiTokens implements TokenAdmin, AutoCloseable {
  private final AuditTrail audit;
  private static final Logger LOG = Logger.getLogger(ApiTokens.class.getName());
  static final Duration REFRESH = Duration.ofSeconds(10);

  /** The name of the token kpm creates when no admin token exists. */
  public static final String INITIAL_ADMIN = "initial-admin";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  private record Known(long id, String name, Role role, Instant expiresAt, String hash) {}

  private final Transactions tx;
  private final Duration maxLifetime;
  private final Clock clock;
  private final Map<String, Known> known = new ConcurrentHashMap<>();
  private final Map<Long, Instant> used = new ConcurrentHashMap<>();
  private final ScheduledExecutorService background;

  /** The JPA entities of this package. */
  public static List<Class<?>> entities() {
    return List.of(ApiToken.class);
  }

  public ApiTokens(Transactions tx, Duration maxLifetime, Clock clock, AuditTrail audit) {
    this.audit = audit;
    this.tx = tx;
    this.maxLifetime = maxLifetime;
    this.clock = clock;
    reload();
    background = Executors.newSingleThreadScheduledExecutor(NamedThreads.of("kpm-tokens"));
    background.scheduleWithFixedDelay(
        this::maintain, REFRESH.toMillis(), REFRESH.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The caller a secret proves, or why not.
   *
   * @throws AuthException 401 for a malformed, unknown, revoked or expired token
   * @throws dev.kpm.persistence.DatabaseUnavailableException an uncached token during an outage
   */
  Caller verify(String secret, String clientAddress, String requestId) {
    if (!TokenSecret.wellFormed(secret)) {
      throw AuthException.invalid("validate token error: malformed kpm token");
    }
    String hash = TokenSecret.hash(secret);
    Known token = known.get(hash);
    if (token == null) {
      token = lookUp(hash);
    }
    if (token == null || !sameHash(token.hash(), hash)) {
      throw AuthException.invalid("validate token error: unknown or revoked kpm token");
    }
    Instant now = clock.instant();
    if (!now.isBefore(token.expiresAt())) {
      throw AuthException.invalid("validate token error: kpm token " + token.name() + " expired");
    }
    used.put(token.id(), now);
    return new Caller(token.name(), AuthMethod.TOKEN, token.role(), clientAddress, requestId);
  }

  private Known lookUp(String hash) {
    Known found =
        tx.inTransaction(
            em ->
                em.createQuery(
                        "from ApiToken t where t.secretSha256 = :h and t.revokedAt is null",
                        ApiToken.class)
                    .setParameter("h", hash)
                    .getResultStream()
                    .findFirst()
                    .map(t -> known(t.view(), hash))
                    .orElse(null));
    if (found != null) {
      known.put(hash, found);
    }
    return found;
  }

  @Override
  public Created create(String name, String role, Duration lifetime, Caller by, Act act) {
    act.plugin("tokens", name);
    if (name == null || !NAME.matcher(name).matches()) {
      throw TokenRequestException.invalid(
          "token name must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or"
              + " digit");
    }
    Role r =
        Role.parse(role)
            .orElseThrow(
                () ->
                    TokenRequestException.invalid(
                        "token role must be viewer, operator or admin, got '" + role + "'"));
    Duration life = lifetime == null ? maxLifetime : lifetime;
    if (life.isNegative() || life.isZero() || life.compareTo(maxLifetime) > 0) {
      throw TokenRequestException.invalid(
          "token expiry must be in the future and at most "
              + maxLifetime
              + " away (kpm.auth.tokenMaxLifetime)");
    }
    String secret = TokenSecret.generate();
    Instant now = clock.instant();
    ApiToken entity =
        new ApiToken(
            name,
            r,
            TokenSecret.hash(secret),
            TokenSecret.hint(secret),
            now,
            by.method().wire() + ":" + by.subject(),
            now.plus(life));
    TokenView view =
        tx.inTransaction(
            em -> {
              if (liveNamed(em, name)) {
                throw TokenRequestException.invalid("token " + name + " already exists");
              }
              em.persist(entity);
              em.flush();
              TokenView created = entity.view();
              act.detail(
                  "token "
                      + created.id()
                      + ", role "
                      + r.wire()
                      + ", expires "
                      + created.expiresAt());
              audit.append(em, act.succeeded());
              return created;
            });
    act.recorded();
    known.put(entity.secretSha256(), known(view, entity.secretSha256()));
    return new Created(view, secret);
  }

  /**
   * With no live admin token, creates {@value #INITIAL_ADMIN} and writes its secret to {@code file}
   * (owner-only permissions), as Jenkins writes its initial admin password: the way in for a kpm
   * whose only method is {@code token}. Does nothing while a live admin token exists.
   *
   * @return whether a token was created
   */
  public boolean ensureInitialAdmin(Path file) {
    Instant now = clock.instant();
    boolean haveAdmin =
        known.values().stream()
            .anyMatch(k -> k.role() == Role.ADMIN && now.isBefore(k.expiresAt()));
    if (haveAdmin) {
      return false;
    }
    Created created;
    try {
      created =
          create(
              INITIAL_ADMIN,
              Role.ADMIN.wire(),
              null,
              Caller.system("start-up"),
              Act.system(AuditAction.TOKEN_CREATE));
    } catch (TokenRequestException e) {
      // A live token of that name but with another role, or another node created it just now.
      LOG.warning("initial admin token not created: " + e.getMessage());
      return false;
    }
    try {
      Files.createDirectories(file.getParent());
      Path temp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(temp);
      Files.createFile(
          temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(temp, created.secret() + "\n", StandardCharsets.US_ASCII);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | UnsupportedOperationException e) {
      revoke(created.token().id(), Caller.system("start-up"), Act.system(AuditAction.TOKEN_REVOKE));
      throw new IllegalStateException(
          "cannot write the initial admin token to " + file + ": " + e.getMessage(), e);
    }
    LOG.warning(
        "no admin API token existed: created "
            + INITIAL_ADMIN
            + ", its secret is in "
            + file
            + " (readable by kpm's user only); create your own admin token with it, then revoke it");
    return true;
  }

  private static boolean liveNamed(EntityManager em, String name) {
    return !em.createQuery(
            "select t.id from ApiToken t where t.name = :n and t.revokedAt is null", Long.class)
        .setParameter("n", name)
        .getResultList()
        .isEmpty();
  }

  @Override
  public List<TokenView> list() {
    flushUsage();
    return tx.inTransaction(
        em ->
            em.createQuery("from ApiToken t order by t.id desc", ApiToken.class)
                .getResultStream()
                .map(ApiToken::view)
                .toList());
  }

  @Override
  public TokenView revoke(long id, Caller by, Act act) {
    TokenView view =
        tx.inTransaction(
            em -> {
              ApiToken token = em.find(ApiToken.class, id);
              if (token == null) {
                throw TokenRequestException.notFound("token " + id + " not found");
              }
              boolean live = token.view().revokedAt() == null;
              if (live) {
                token.revoke(clock.instant(), by.method().wire() + ":" + by.subject());
              }
              TokenView revoked = token.view();
              act.plugin("tokens", revoked.name())
                  .detail("token " + id + (live ? "" : ", already revoked before"));
              em.flush();
              audit.append(em, act.succeeded());
              return revoked;
            });
    act.recorded();
    known.values().removeIf(k -> k.id() == id);
    return view;
  }

  private static Known known(TokenView t, String hash) {
    return new Known(t.id(), t.name(), t.role(), t.expiresAt(), hash);
  }

  /** Compared in constant time, though the map already matched it. */
  private static boolean sameHash(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  /** Reloads the live tokens (revocations by other nodes). */
  void reload() {
    Instant now = clock.instant();
    Map<String, Known> live = new HashMap<>();
    tx.run(
        em ->
            em.createQuery("from ApiToken t where t.revokedAt is null", ApiToken.class)
                .getResultStream()
                .forEach(
                    t -> {
                      if (t.view().liveAt(now)) {
                        live.put(t.secretSha256(), known(t.view(), t.secretSha256()));
                      }
                    }));
    known.keySet().retainAll(live.keySet());
    known.putAll(live);
  }

  private void maintain() {
    try {
      flushUsage();
      reload();
    } catch (RuntimeException e) {
      // A database outage: cached tokens keep working; the next round tries again.
      LOG.log(Level.FINE, "token refresh skipped: " + e.getMessage(), e);
    }
  }

  /** Writes the collected last-used times in one transaction. */
  void flushUsage() {
    if (used.isEmpty()) {
      return;
    }
    Map<Long, Instant> batch = new HashMap<>(used);
    tx.run(
        em ->
            batch.forEach(
                (id, at) ->
                    em.createQuery(
                            "update ApiToken t set t.lastUsedAt = :at where t.id = :id"
                                + " and (t.lastUsedAt is null or t.lastUsedAt < :at)")
                        .setParameter("at", at)
                        .setParameter("id", id)
                        .executeUpdate()));
    batch.forEach(used::remove);
  }

  @Override
  public void close() {
    background.shutdownNow();
    try {
      flushUsage();
    } catch (RuntimeException e) {
      LOG.warning("last-used times of API tokens not written: " + e.getMessage());
    }
  }
}
