package dev.kpm.upload;

import java.io.IOException;

/**
 * A {@code multipart/form-data} request kpm cannot read: not multipart, no boundary, malformed or
 * truncated, or beyond the reader's limits. The message is the detail kpm prefixes with eKuiper's
 * {@code Error parse the multi part form: }.
 */
public final class MultipartException extends IOException {
  public MultipartException(String message) {
    super(message);
  }
}
