package dev.kpm.fleet;

import java.io.IOException;

/** An artifact that cannot be stored or read as asked; {@link #kind} says why. */
public final class ArtifactException extends IOException {
  /** Why. */
  public enum Kind {
    /** No complete artifact has this digest. */
    NOT_FOUND,
    /** The bytes given do not have the digest they were stored under: nothing was stored. */
    MISMATCH,
    /** Another put is storing the same artifact right now (its claim has not lapsed). */
    BUSY,
    /**
     * This put's claim lapsed and another put took the artifact over: nothing of this one stays.
     */
    CLAIM_LOST,
    /** The stored chunks do not add up to the artifact (missing, wrong length or digest). */
    CORRUPT
  }

  private final Kind kind;

  ArtifactException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
