package dev.kpm.portable.sp;

/**
 * The state of one socket. Thread-safe.
 *
 * <pre>
 * OPEN ──failure──▶ FAILED ──close()──▶ CLOSED
 *   └────────────close()──────────────────▲
 * </pre>
 *
 * CLOSED is final; {@link #moveTo} refuses every other move and reports whether it happened, so
 * whoever wins a transition does its work exactly once.
 */
final class Lifecycle {
  enum State {
    OPEN,
    FAILED,
    CLOSED
  }

  private State state = State.OPEN;
  private String reason = "";

  synchronized boolean moveTo(State next, String why) {
    boolean allowed =
        switch (state) {
          case OPEN -> next != State.OPEN;
          case FAILED -> next == State.CLOSED;
          case CLOSED -> false;
        };
    if (allowed) {
      state = next;
      reason = why;
    }
    return allowed;
  }

  synchronized State state() {
    return state;
  }

  synchronized boolean closed() {
    return state == State.CLOSED;
  }

  synchronized String reason() {
    return reason;
  }
}
