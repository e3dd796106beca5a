/**
 * The audit trail (docs/api.md §12): one append-only, hash-chained event per change of kpm, with
 * who, from where, what and how it ended; read, exported and verified by the API, purged after the
 * retention. It knows no domain: plugin types and principals are plain strings here. Uses only
 * {@code persistence} and {@code threads}.
 */
package dev.kpm.audit;
