/**
 * Wiring only: settings, start-up and shutdown order, the services the API calls ({@link
 * dev.kpm.Services}) and the JAX-RS application.
 */
package dev.kpm;
