/**
 * The fleet's foundation (issue 17): kpm nodes sharing one PostgreSQL register and heartbeat
 * ({@link dev.kpm.fleet.NodeRegistry}), are listed and forgotten ({@link
 * dev.kpm.fleet.FleetNodes}), and plugin archives are stored in the database in chunks,
 * content-addressed by SHA-256 ({@link dev.kpm.fleet.ArtifactStore}). Uses persistence, audit and
 * threads; knows no plugin domain.
 */
package dev.kpm.fleet;
