package dev.kpm.persistence;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The only way to a transaction: one EntityManager per call, committed when the work returns,
 * rolled back when it throws. Thread-safe; keep the work short and free of I/O other than SQL.
 */
public final class Transactions {
  private final EntityManagerFactory emf;

  public Transactions(EntityManagerFactory emf) {
    this.emf = emf;
  }

  public <T> T inTransaction(Function<EntityManager, T> work) {
    try (EntityManager em = emf.createEntityManager()) {
      EntityTransaction tx = em.getTransaction();
      tx.begin();
      try {
        T result = work.apply(em);
        tx.commit();
        return result;
      } catch (RuntimeException | Error e) {
        if (tx.isActive()) {
          tx.rollback();
        }
        throw e;
      }
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
