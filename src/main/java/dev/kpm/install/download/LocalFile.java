package dev.kpm.install.download;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.LongConsumer;

/**
 * Copies a {@code file://} source: regular files only, optionally confined to the uploads folder by
 * real path (symlinks resolved), size-capped, deadline checked between buffers. Thread-safe.
 */
final class LocalFile {
  private static final int BUFFER = 64 * 1024;

  private final DownloadPolicy policy;

  LocalFile(DownloadPolicy policy) {
    this.policy = policy;
  }

  Download fetch(
      URI uri, Path target, long maxBytes, long deadlineNanos, LongConsumer expectedBytes)
      throws DownloadException, InterruptedException {
    String name = uri.getPath();
    Path source = policy.confineFiles() ? confined(name) : Path.of(name);
    BasicFileAttributes attributes = attributes(name, source);
    if (!attributes.isRegularFile()) {
      throw new DownloadException(name + " is not a regular file");
    }
    if (attributes.size() > maxBytes) {
      throw DownloadException.tooLarge(maxBytes);
    }
    expectedBytes.accept(attributes.size());
    try {
      return copy(source, target, maxBytes, deadlineNanos);
    } catch (IOException e) {
      // Opening and reading the source are the only I/O here; the sink maps its own failures.
      throw Failures.orInterrupted(e, "open " + name + ": " + Failures.fileReason(e));
    }
  }

  /** The real path of {@code name}, refused unless it lies inside the real uploads folder. */
  private Path confined(String name) throws DownloadException {
    Path uploads = policy.uploadsDir();
    Path real;
    try {
      real = Path.of(name).toRealPath();
    } catch (NoSuchFileException e) {
      // Only say "missing" for paths that would be inside: no probing of other folders.
      if (Path.of(name).normalize().startsWith(uploads)) {
        throw new DownloadException(missing(name), e);
      }
      throw denied();
    } catch (IOException e) {
      throw denied();
    }
    if (!real.startsWith(realOrSelf(uploads))) {
      throw denied();
    }
    return real;
  }

  private DownloadException denied() {
    return new DownloadException("file access denied: path must be under " + policy.uploadsDir());
  }

  private static Path realOrSelf(Path dir) {
    try {
      return dir.toRealPath();
    } catch (IOException e) {
      return dir;
    }
  }

  private static BasicFileAttributes attributes(String name, Path source) throws DownloadException {
    try {
      return Files.readAttributes(source, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new DownloadException(missing(name), e);
    } catch (IOException e) {
      throw new DownloadException("stat " + name + ": " + Failures.fileReason(e), e);
    }
  }

  private Download copy(Path source, Path target, long maxBytes, long deadlineNanos)
      throws IOException, DownloadException, InterruptedException {
    // Confined sources are real paths: refusing a link here narrows the window for swapping one in.
    OpenOption[] options =
        policy.confineFiles()
            ? new OpenOption[] {StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS}
            : new OpenOption[] {StandardOpenOption.READ};
    try (FileChannel in = FileChannel.open(source, options);
        FileSink sink = FileSink.create(target, maxBytes)) {
      ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
      while (in.read(buffer) != -1) {
        if (System.nanoTime() - deadlineNanos > 0) {
          throw new DownloadException(DownloadTexts.timedOut(policy.timeout()));
        }
        sink.write(buffer.flip());
        buffer.clear();
      }
      return sink.finish();
    }
  }

  private static String missing(String name) {
    return "stat " + name + ": no such file or directory";
  }
}
