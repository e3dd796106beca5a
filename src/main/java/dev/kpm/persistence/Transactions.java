package dev.kpm.persistence;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The only way to a transaction: one EntityManager per call, committed when the work returns,
 * rolled back when it throws. Thread-safe; keep the work short and free of I/O other than SQL.
 *
 * <p>A database that cannot be reached or stops answering surfaces as {@link
 * DatabaseUnavailableException} — nothing was committed — or, when the connection fails during the
 * commit itself, as {@link CommitOutcomeUnknownException}. The work's changes are flushed before
 * the commit, so only the commit round trip can leave the outcome unknown.
 */
public final class Transactions {
  private final EntityManagerFactory emf;
  private final Runnable onOutage;

  public Transactions(EntityManagerFactory emf) {
    this(emf, () -> {});
  }

  /**
   * @param onOutage runs on every outage a transaction meets, before the exception is thrown: kpm's
   *     own pool drops its connections there ({@link Database#dropConnections}), so that none
   *     opened on a server that went away is handed out once it is back
   */
  public Transactions(EntityManagerFactory emf, Runnable onOutage) {
    this.emf = emf;
    this.onOutage = onOutage;
  }

  public <T> T inTransaction(Function<EntityManager, T> work) {
    try {
      return attempt(work);
    } catch (DatabaseUnavailableException e) {
      onOutage.run();
      throw e;
    } catch (RuntimeException e) {
      if (Outages.isOutage(e)) {
        onOutage.run();
        throw new DatabaseUnavailableException("the database is unavailable", e);
      }
      throw e;
    }
  }

  private <T> T attempt(Function<EntityManager, T> work) {
    try (EntityManager em = emf.createEntityManager()) {
      EntityTransaction tx = em.getTransaction();
      tx.begin();
      T result;
      try {
        result = work.apply(em);
        em.flush();
      } catch (RuntimeException | Error e) {
        rollback(tx, e);
        throw e;
      }
      try {
        tx.commit();
      } catch (RuntimeException e) {
        if (Outages.isOutage(e)) {
          throw new CommitOutcomeUnknownException(e);
        }
        throw e;
      }
      return result;
    }
  }

  /** Rolls back; a rollback that fails too (the connection is gone) is kept as suppressed. */
  private static void rollback(EntityTransaction tx, Throwable cause) {
    try {
      if (tx.isActive()) {
        tx.rollback();
      }
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  public void run(Consumer<EntityManager> work) {
    inTransaction(
        em -> {
          work.accept(em);
          return null;
        });
  }
}
