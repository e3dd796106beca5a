package dev.kpm.portable;

/**
 * Lifecycle of a plugin's process, as shown in its status.
 *
 * <pre>
 *   INITIALIZING --handshake--> RUNNING --exit/crash--> ERROR --backoff--> INITIALIZING
 *        |                        |
 *        +--------- stop ---------+-----> STOP (drop, update, shutdown)
 * </pre>
 */
public enum ProcessState {
  INITIALIZING("initializing"),
  RUNNING("running"),
  ERROR("error"),
  STOP("stop");

  private final String word;

  ProcessState(String word) {
    this.word = word;
  }

  /** eKuiper's status word. */
  public String word() {
    return word;
  }
}
