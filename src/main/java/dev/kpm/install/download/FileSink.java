package dev.kpm.install.download;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The target of one download: creates the file (which must not exist), digests and counts while
 * writing, enforces the size cap. Closing an unfinished sink deletes the file. Used by one thread.
 *
 * <p>The file is not forced to disk: it is a work file of one install, read back by the same
 * process and deleted when the install ends, and a crash discards it with its staging folder. An
 * fsync would only write it out (a quarter of a second for 50 MB in benchmark B1, README) for
 * nobody to read it again.
 */
final class FileSink implements AutoCloseable {
  private final Path file;
  private final FileChannel channel;
  private final MessageDigest digest;
  private final long maxBytes;
  private long bytes;
  private boolean finished;

  private FileSink(Path file, FileChannel channel, long maxBytes) {
    this.file = file;
    this.channel = channel;
    this.digest = sha256();
    this.maxBytes = maxBytes;
  }

  static FileSink create(Path file, long maxBytes) throws DownloadException {
    try {
      return new FileSink(
          file,
          FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
          maxBytes);
    } catch (IOException e) {
      throw new DownloadException("open " + file + ": " + Failures.fileReason(e), e);
    }
  }

  /** Writes all of {@code src}, refusing it first if the total would pass the cap. */
  void write(ByteBuffer src) throws DownloadException, InterruptedException {
    bytes += src.remaining();
    if (bytes > maxBytes) {
      throw DownloadException.tooLarge(maxBytes);
    }
    digest.update(src.duplicate());
    try {
      while (src.hasRemaining()) {
        channel.write(src);
      }
    } catch (IOException e) {
      throw Failures.orInterrupted(e, "write " + file + ": " + Failures.fileReason(e));
    }
  }

  /** Bytes written so far. */
  long bytes() {
    return bytes;
  }

  /** Closes the file and describes the result. */
  Download finish() throws DownloadException, InterruptedException {
    try {
      channel.close();
    } catch (IOException e) {
      throw Failures.orInterrupted(e, "close " + file + ": " + Failures.fileReason(e));
    }
    finished = true;
    return new Download(file, HexFormat.of().formatHex(digest.digest()), bytes);
  }

  @Override
  public void close() {
    if (finished) {
      return;
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // The file is deleted next; nothing of it is kept.
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // Best effort: the caller's temp folder is cleaned with the install anyway.
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
