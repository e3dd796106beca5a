package dev.kpm.upload;

/**
 * A refused upload, with the status and eKuiper's error code the API answers it with: 400 (code
 * 1000) for a bad request or a failed save, 404 (code 1002) for a name that is not there, 413 (code
 * 1000) for a body over the cap. The message is the whole text, prefix included.
 */
public final class UploadException extends RuntimeException {
  private final int status;

  private UploadException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public static UploadException invalid(String message) {
    return new UploadException(400, message);
  }

  public static UploadException notFound(String message) {
    return new UploadException(404, message);
  }

  public static UploadException tooLarge(String message) {
    return new UploadException(413, message);
  }

  public int status() {
    return status;
  }

  /** eKuiper's error code: 1002 for not found, else 1000. */
  public int code() {
    return status == 404 ? 1002 : 1000;
  }
}
