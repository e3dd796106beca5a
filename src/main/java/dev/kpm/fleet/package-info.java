/**
 * The fleet's foundation (issue 17): plugin archives stored in the database in chunks,
 * content-addressed by SHA-256 ({@link dev.kpm.fleet.ArtifactStore}). Uses persistence; knows no
 * plugin domain.
 */
package dev.kpm.fleet;
