package dev.kpm.install.download;

/**
 * A failed download. {@link #getMessage()} is the cause text only; the managers prefix it with
 * {@code "fail to download file <url>: "} as eKuiper does.
 */
public final class DownloadException extends Exception {
  public DownloadException(String message) {
    super(message);
  }

  public DownloadException(String message, Throwable cause) {
    super(message, cause);
  }

  static DownloadException tooLarge(long maxBytes) {
    return new DownloadException("file is larger than the " + maxBytes + "-byte limit");
  }
}
