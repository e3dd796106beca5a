package dev.kpm.persistence;

import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceUnitTransactionType;
import java.util.List;
import javax.sql.DataSource;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.jpa.HibernatePersistenceProvider;

/**
 * Builds the EntityManagerFactory programmatically. No persistence.xml and no {@code
 * jakarta.persistence.Persistence}: on Payara both hand the unit to the server's own provider
 * (STACK.md §3). The schema belongs to the migrations; Hibernate only validates it.
 */
public final class Jpa {
  private Jpa() {}

  public static EntityManagerFactory open(DataSource dataSource, List<Class<?>> entities) {
    HibernatePersistenceConfiguration config =
        new HibernatePersistenceConfiguration("kpm")
            .transactionType(PersistenceUnitTransactionType.RESOURCE_LOCAL)
            .property("jakarta.persistence.nonJtaDataSource", dataSource)
            .property("hibernate.hbm2ddl.auto", "validate")
            .property("hibernate.connection.provider_disables_autocommit", "true")
            .property("hibernate.jdbc.time_zone", "UTC");
    entities.forEach(config::managedClass);
    return new HibernatePersistenceProvider().createEntityManagerFactory(config);
  }
}
