package dev.kpm.portable;

/**
 * What the portable host tells the rest of kpm about the processes it supervises on its own — not
 * what the API asked for: the wiring records these in the audit trail. Called on the host's
 * scheduler thread: implementations must not block.
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
}
