package dev.kpm.portable;

/**
 * What the portable host tells the rest of kpm about the processes it supervises: the wiring
 * records restarts and crash loops in the audit trail and publishes all of it as lifecycle events.
 * Called on the host's scheduler thread: implementations must not block.
 */
public interface HostEvents {
  HostEvents NONE =
      new HostEvents() {
        @Override
        public void restarted(String plugin, String cause, String failure) {}

        @Override
        public void crashLoop(String plugin, String message) {}
      };

  /**
   * kpm restarted a plugin's process after it ended.
   *
   * @param cause how the previous process ended
   * @param failure why the new one did not start, or null when it did
   */
  void restarted(String plugin, String cause, String failure);

  /** The process ended too often: kpm stops restarting it until an update or a re-create. */
  void crashLoop(String plugin, String message);

  /** A process of the plugin completed its handshake and runs. */
  default void started(String plugin, long pid) {}

  /** A process ended without being asked to ({@code how}: its exit code or signal). */
  default void exited(String plugin, long pid, String how) {}

  /** The plugin's process was stopped on request (a drop, kpm stopping). */
  default void stopped(String plugin, long pid) {}
}
