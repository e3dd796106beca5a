package dev.kpm.portable.sp;

import java.io.IOException;

/** A deadline passed before a message arrived, a frame was written or a peer was reached. */
public class SpTimeoutException extends IOException {
  private static final long serialVersionUID = 1L;

  public SpTimeoutException(String message) {
    super(message);
  }
}
