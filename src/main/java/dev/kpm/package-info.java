/** Wiring only: settings, bootstrap and shutdown order, and the JAX-RS application. */
package dev.kpm;
