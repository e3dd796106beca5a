package dev.kpm.install;

/** How {@code ?stop=1} stops the server; the wiring picks the implementation. */
@FunctionalInterface
public interface ServerControl {
  /** Stops kpm shortly after the current response has been sent. Returns at once. */
  void stopSoon();
}
