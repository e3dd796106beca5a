/** JPA infrastructure only: the pooled DataSource, Flyway migrations, the EMF and transactions. */
package dev.kpm.persistence;
