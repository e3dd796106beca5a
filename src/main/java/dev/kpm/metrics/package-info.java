/**
 * kpm's metrics (docs/api.md §8.13) in a Micrometer registry scraped as Prometheus text: installs,
 * downloads, jobs in flight, portable processes, restarts and function calls, request latency by
 * route, the database pool and the JVM. Imports nothing of kpm: other packages expose plain
 * listener and supplier hooks, and the wiring feeds them in.
 */
package dev.kpm.metrics;
