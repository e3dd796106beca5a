package dev.kpm.portable.sp;

import java.io.IOException;

/**
 * The call is not allowed in the socket's protocol state: a REP send with no request to answer, or
 * a REQ receive with no outstanding request (mangos {@code ErrProtoState}, NNG {@code ESTATE}).
 */
public class ProtocolStateException extends IOException {
  private static final long serialVersionUID = 1L;

  public ProtocolStateException(String message) {
    super(message);
  }
}
