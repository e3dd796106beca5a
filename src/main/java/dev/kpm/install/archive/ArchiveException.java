package dev.kpm.install.archive;

/**
 * A refused or unreadable archive; {@link #getMessage()} is a clear, user-facing sentence (it
 * becomes part of an HTTP 400 body {@code fail to install plugin: <message>}).
 */
public final class ArchiveException extends Exception {
  private static final long serialVersionUID = 1L;

  public ArchiveException(String message) {
    super(message);
  }

  public ArchiveException(String message, Throwable cause) {
    super(message, cause);
  }
}
