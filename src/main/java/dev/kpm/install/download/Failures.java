package dev.kpm.install.download;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ConnectTimeoutException;

/**
 * Turns the JDK's and Apache HttpClient's I/O failures into download cause texts, and interrupts
 * back into interrupts.
 */
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
      if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
        return noSuchHost(uri);
      }
      if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
        // The text kpm has always given (Java's HttpClient had no reason to report); Apache's
        // HttpHostConnectException has one, but in its own wording ("Connect to … failed: …").
        return "dial tcp "
            + uri.getHost()
            + ":"
            + HostGuard.port(uri)
            + ": connect: connection failed";
      }
    }
    return firstMessage(e);
  }

  /** Go's text for a host name without addresses. */
  static String noSuchHost(URI uri) {
    return "dial tcp: lookup " + uri.getHost() + ": no such host";
  }

  /**
   * Whether {@code e} is a connect or read timeout of the client: kpm sets those to the time left
   * before the download's deadline, so one means the deadline passed. An operating system's own
   * connect timeout (which Apache also reports as a ConnectTimeoutException, caused by a
   * ConnectException) is a failed connection, not the deadline.
   */
  static boolean isTimeout(Throwable e) {
    if (e instanceof ConnectTimeoutException) {
      return !(e.getCause() instanceof ConnectException);
    }
    return e instanceof SocketTimeoutException;
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
