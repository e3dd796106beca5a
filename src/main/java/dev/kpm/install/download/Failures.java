package dev.kpm.install.download;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import javax.net.ssl.SSLException;

/** Turns the JDK's I/O failures into download cause texts, and interrupts back into interrupts. */
final class Failures {
  private Failures() {}

  /**
   * The exception to throw for {@code e}: an InterruptedException when the thread was interrupted
   * (FileChannel reports that as ClosedByInterruptException), else a DownloadException of {@code
   * text}.
   */
  static DownloadException orInterrupted(IOException e, String text) throws InterruptedException {
    boolean wasInterrupted = Thread.interrupted();
    if (wasInterrupted || e instanceof ClosedByInterruptException) {
      InterruptedException interrupted = new InterruptedException("download interrupted");
      interrupted.initCause(e);
      throw interrupted;
    }
    return new DownloadException(text, e);
  }

  /** The cause of a failed request in Go's words where they are known. */
  static String describe(URI uri, Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return "tls: " + t.getMessage();
      }
      if (t instanceof UnresolvedAddressException) {
        return "dial tcp: lookup " + uri.getHost() + ": no such host";
      }
      if (t instanceof ConnectException) {
        // HttpClient's ConnectException carries no text, not even for a refused connection.
        String reason = t.getMessage() == null ? "connection failed" : t.getMessage();
        return "dial tcp " + uri.getHost() + ":" + HostGuard.port(uri) + ": connect: " + reason;
      }
    }
    return firstMessage(e);
  }

  /** The reason of a failed file operation as Go's os package words it. */
  static String fileReason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileAlreadyExistsException) {
      return "file exists";
    }
    return firstMessage(e);
  }

  private static String firstMessage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getMessage();
      }
    }
    return e.getClass().getSimpleName();
  }
}
