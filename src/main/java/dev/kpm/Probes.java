package dev.kpm;

import dev.kpm.api.Health;
import dev.kpm.metrics.KpmMetrics;
import dev.kpm.persistence.DatabaseUnavailableException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * kpm's {@link Health}: readiness from the start-up state and a database check, the metrics from
 * {@link KpmMetrics}. A database check runs at most once per {@link #FRESH} (a storm of probes
 * costs one {@code select}), and never twice at once: a probe arriving while one runs gets the last
 * answer, or waits for the first. Every check is bounded by the pool's acquire and statement
 * timeouts.
 */
final class Probes implements Health {
  static final Duration FRESH = Duration.ofSeconds(1);
  static final String STARTING = "kpm is starting: the start-up reconcile is not done yet";
  static final String BEHIND =
      "kpm is converging with the fleet: this node has not applied the fleet's plugins since it"
          + " started";
  private static final Logger LOG = Logger.getLogger(Probes.class.getName());

  /** Checks the database; throws {@link DatabaseUnavailableException} when it does not answer. */
  interface DatabaseCheck {
    void ping();
  }

  private record Answer(Optional<String> reason, long at) {}

  private final BooleanSupplier started;
  private volatile BooleanSupplier converged = () -> true;
  private final DatabaseCheck database;
  private final KpmMetrics metrics;
  private final LongSupplier nanos;
  private Answer last;
  private CompletableFuture<Answer> running;

  Probes(BooleanSupplier started, DatabaseCheck database, KpmMetrics metrics) {
    this(started, database, metrics, System::nanoTime);
  }

  /** With the clock {@code nanos} ({@link System#nanoTime()}): for tests. */
  Probes(BooleanSupplier started, DatabaseCheck database, KpmMetrics metrics, LongSupplier nanos) {
    this.started = started;
    this.database = database;
    this.metrics = metrics;
    this.nanos = nanos;
  }

  /** Readiness waits for {@code converged} too: the node's first convergence with its fleet. */
  Probes convergedWhen(BooleanSupplier converged) {
    this.converged = converged;
    return this;
  }

  @Override
  public Optional<String> behind() {
    return converged.getAsBoolean() ? Optional.empty() : Optional.of(BEHIND);
  }

  @Override
  public Optional<String> notReady() {
    if (!started.getAsBoolean()) {
      return Optional.of(STARTING);
    }
    if (!converged.getAsBoolean()) {
      return Optional.of(BEHIND);
    }
    CompletableFuture<Answer> check;
    boolean mine = false;
    Answer previous;
    synchronized (this) {
      previous = last;
      if (previous != null && nanos.getAsLong() - previous.at() < FRESH.toNanos()) {
        return previous.reason();
      }
      if (running == null) {
        running = new CompletableFuture<>();
        mine = true;
      }
      check = running;
    }
    if (!mine) {
      return previous != null ? previous.reason() : check.join().reason();
    }
    Optional<String> reason = checkDatabase();
    Answer answer = new Answer(reason, nanos.getAsLong());
    synchronized (this) {
      last = answer;
      running = null;
    }
    check.complete(answer);
    return answer.reason();
  }

  private Optional<String> checkDatabase() {
    try {
      database.ping();
      return Optional.empty();
    } catch (DatabaseUnavailableException e) {
      LOG.log(Level.FINE, "readiness: " + e.getMessage(), e);
      return Optional.of(dev.kpm.api.error.DatabaseUnavailableMapper.MESSAGE);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "readiness: the database check failed", e);
      return Optional.of(dev.kpm.api.error.DatabaseUnavailableMapper.MESSAGE);
    }
  }

  @Override
  public String metrics() {
    return metrics.scrape();
  }
}
