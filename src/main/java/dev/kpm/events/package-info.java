/**
 * kpm's lifecycle events (docs/api.md §8.16): a bounded, numbered buffer that the API streams as
 * Server-Sent Events and replays after a reconnect. Knows no domain: the wiring publishes.
 */
package dev.kpm.events;
