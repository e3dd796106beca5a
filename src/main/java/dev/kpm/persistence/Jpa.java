package dev.kpm.persistence;

import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceUnitTransactionType;
import java.util.List;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.jpa.HibernatePersistenceProvider;

/**
 * Builds the EntityManagerFactory programmatically. No persistence.xml and no {@code
 * jakarta.persistence.Persistence}: on Payara both hand the unit to the server's own provider (its
 * class loader prefers the server's copies). The schema belongs to the migrations; Hibernate only
 * validates it.
 */
public final class Jpa {
  private Jpa() {}

  public static EntityManagerFactory open(Database db, List<Class<?>> entities) {
    HibernatePersistenceConfiguration config =
        new HibernatePersistenceConfiguration("kpm")
            .transactionType(PersistenceUnitTransactionType.RESOURCE_LOCAL)
            .property("jakarta.persistence.nonJtaDataSource", db.dataSource())
            .property("hibernate.hbm2ddl.auto", "validate")
            // Only a promise kpm can keep: a container's pool (JNDI) may hand out auto-commit
            // connections, and Hibernate, trusting the promise, would then never turn auto-commit
            // off and fail every commit ("Cannot commit when autoCommit is enabled").
            .property(
                "hibernate.connection.provider_disables_autocommit",
                String.valueOf(db.disablesAutoCommit()))
            .property("hibernate.jdbc.time_zone", "UTC");
    entities.forEach(config::managedClass);
    return new HibernatePersistenceProvider().createEntityManagerFactory(config);
  }
}
