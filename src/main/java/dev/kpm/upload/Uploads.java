package dev.kpm.upload;

import dev.kpm.install.download.Download;
import dev.kpm.install.download.DownloadException;
import dev.kpm.install.download.Downloader;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * The uploads folder, {@code <home>/data/uploads} (docs/api.md §11). Every save writes a hidden
 * temporary file in the folder ({@code .upload-<random>}), counting the bytes against {@code
 * kpm.uploads.maxBytes} and digesting them as they pass, forces it to disk, renames it over the
 * name (atomic: a reader sees the old file or the new one, never a part) and syncs the folder. A
 * save that fails for any reason — a malformed or truncated form, a body over the cap, a failed
 * fetch, a full disk — deletes its temporary file before it throws, so it leaves nothing; files a
 * killed kpm left are deleted at the next start. Thread-safe: saves of one name race to the last
 * rename, as eKuiper's overwrite.
 */
public final class Uploads implements UploadService, RemoteFiles {
  /** The form field eKuiper reads the file from. */
  public static final String FILE_FIELD = "uploadFile";

  static final String TEMP_PREFIX = ".upload-";
  private static final String FORM = "Error parse the multi part form: ";
  private static final String RETRIEVE = "Error Retrieving the File: ";
  private static final String SAVE = "Error saving the file: ";
  private static final String GET_FILE = "Upload error: getFile has error: ";
  private static final String DELETE = "Error deleting the file: ";
  private static final int BUFFER = 64 * 1024;
  private static final Logger LOG = Logger.getLogger(Uploads.class.getName());

  private final Path folder;
  private final long maxBytes;
  private final long maxJsonBytes;
  private final Downloader downloader;
  private final SecureRandom random = new SecureRandom();

  /**
   * Creates the folder if it is missing and deletes the temporary files an earlier kpm left.
   *
   * @param maxBytes {@code kpm.uploads.maxBytes}: the largest form body and the largest file
   * @param maxJsonBytes {@code kpm.http.maxBodyBytes}: the largest JSON body
   * @param downloader fetches the JSON form's {@code file} URL, with its policy (timeout, hosts,
   *     private networks, {@code file://} confinement) and {@code maxBytes} as the cap
   */
  public Uploads(Path folder, long maxBytes, long maxJsonBytes, Downloader downloader) {
    this.folder = folder.toAbsolutePath().normalize();
    this.maxBytes = maxBytes;
    this.maxJsonBytes = maxJsonBytes;
    this.downloader = downloader;
    try {
      Files.createDirectories(this.folder);
      removeLeftovers();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the uploads folder " + this.folder, e);
    }
  }

  public Path folder() {
    return folder;
  }

  private void removeLeftovers() throws IOException {
    try (DirectoryStream<Path> temps = Files.newDirectoryStream(folder, TEMP_PREFIX + "*")) {
      for (Path temp : temps) {
        if (Files.isRegularFile(temp, LinkOption.NOFOLLOW_LINKS)) {
          Files.deleteIfExists(temp);
          LOG.info(() -> "deleted an unfinished upload an earlier run of kpm left: " + temp);
        }
      }
    }
  }

  @Override
  public List<Path> list() {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (!name.startsWith(".") && Files.isRegularFile(entry)) {
          files.add(entry);
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw UploadException.invalid(
          "Error reading the file upload dir: open " + folder + ": " + reason(e));
    }
    files.sort(Comparator.comparing(p -> p.getFileName().toString()));
    return List.copyOf(files);
  }

  @Override
  public Upload saveForm(String contentType, InputStream body) {
    String boundary;
    try {
      boundary = MultipartReader.boundary(contentType);
    } catch (MultipartException e) {
      throw UploadException.invalid(FORM + e.getMessage());
    }
    CappedBody capped = new CappedBody(body, maxBytes);
    MultipartReader form = new MultipartReader(capped, boundary);
    Temp saved = null;
    try {
      for (MultipartReader.Part part = form.next(); part != null; part = form.next()) {
        if (saved == null && part.name().equals(FILE_FIELD) && part.isFile()) {
          FileNames.check(part.filename(), SAVE);
          saved = write(part.filename(), part.body());
        }
        // Other parts, and a second file, are read past: the whole form must be well formed.
      }
      if (saved == null) {
        throw UploadException.invalid(RETRIEVE + "http: no such file");
      }
      Upload upload = commit(saved);
      saved = null;
      return upload;
    } catch (BodyTooLarge e) {
      throw UploadException.tooLarge(
          "request body larger than " + maxBytes + " bytes (kpm.uploads.maxBytes)");
    } catch (MultipartException | BodyUnreadable e) {
      throw UploadException.invalid(FORM + e.getMessage());
    } catch (IOException e) {
      throw UploadException.invalid(SAVE + reason(e));
    } finally {
      discard(saved);
    }
  }

  @Override
  public Upload saveJson(InputStream body) {
    byte[] bytes;
    try {
      bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxJsonBytes + 1));
    } catch (IOException e) {
      throw UploadException.invalid(UploadRequest.DECODE + reason(e));
    }
    if (bytes.length > maxJsonBytes) {
      throw UploadException.tooLarge(
          "request body larger than " + maxJsonBytes + " bytes (kpm.http.maxBodyBytes)");
    }
    UploadRequest request = UploadRequest.parse(new String(bytes, StandardCharsets.UTF_8));
    return request.file().isEmpty()
        ? saveContent(request.name(), request.content())
        : saveFromUrl(request.name(), request.file());
  }

  /**
   * Saves {@code content} as {@code name}, read to its end.
   *
   * @throws UploadException 400 for an invalid name or a failed write ({@code Error saving the
   *     file: …}), 413 for more than {@code kpm.uploads.maxBytes}
   */
  public Upload save(String name, InputStream content) {
    FileNames.check(name, SAVE);
    return store(name, content, SAVE);
  }

  /** Saves text as {@code name}, UTF-8 encoded: eKuiper's {@code {"name","content"}}. */
  public Upload saveContent(String name, String content) {
    FileNames.check(name, GET_FILE);
    return store(
        name, new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)), GET_FILE);
  }

  /** Writes {@code content} to a temporary file and renames it to {@code name}; errors start so. */
  private Upload store(String name, InputStream content, String errorPrefix) {
    Temp temp = null;
    try {
      temp = write(name, content);
      Upload upload = commit(temp);
      temp = null;
      return upload;
    } catch (BodyTooLarge e) {
      throw UploadException.tooLarge(
          "file larger than " + maxBytes + " bytes (kpm.uploads.maxBytes)");
    } catch (IOException e) {
      throw UploadException.invalid(errorPrefix + reason(e));
    } finally {
      discard(temp);
    }
  }

  /**
   * Fetches {@code url} ({@code http}, {@code https} or {@code file}) as {@code name} with kpm's
   * downloader and its policy, capped at {@code kpm.uploads.maxBytes}: eKuiper's {@code
   * {"name","file"}}. A failed fetch is 400 {@code Upload error: getFile has error: <cause>}, the
   * download causes of docs/api.md §1.5.
   */
  public Upload saveFromUrl(String name, String url) {
    FileNames.check(name, GET_FILE);
    URI uri = url(url);
    Path temp = newTempName();
    boolean kept = false;
    try {
      Download download = downloader.fetch(uri, temp, maxBytes);
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      Upload upload = commit(new Temp(name, temp, download.bytes(), download.sha256()));
      kept = true;
      return upload;
    } catch (DownloadException e) {
      throw UploadException.invalid(GET_FILE + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw UploadException.invalid(GET_FILE + "interrupted while kpm was stopping");
    } catch (IOException e) {
      throw UploadException.invalid(GET_FILE + reason(e));
    } finally {
      if (!kept) {
        deleteQuietly(temp);
      }
    }
  }

  /**
   * eKuiper's {@code httpx.ReadFile} for {@code POST /data/import}'s {@code file} (docs/api.md
   * §8.19), with kpm's downloader and its policy, capped at {@code kpm.http.maxBodyBytes}; errors
   * are the bare causes of §1.5, as eKuiper answers them.
   */
  @Override
  public String read(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw UploadException.invalid("parse \"" + url + "\": invalid URI for request");
    }
    if (uri.getScheme() == null || uri.isOpaque()) {
      throw UploadException.invalid("parse \"" + url + "\": invalid URI for request");
    }
    String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("file") && !scheme.equals("http") && !scheme.equals("https")) {
      throw UploadException.invalid("unsupported url scheme " + uri.getScheme());
    }
    Path temp = newTempName();
    try {
      downloader.fetch(uri, temp, maxJsonBytes);
      return Files.readString(temp, java.nio.charset.StandardCharsets.UTF_8);
    } catch (DownloadException e) {
      throw UploadException.invalid(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw UploadException.invalid("interrupted while kpm was stopping");
    } catch (IOException e) {
      throw UploadException.invalid(reason(e));
    } finally {
      deleteQuietly(temp);
    }
  }

  /** The URL of the JSON form, checked as Go's {@code url.ParseRequestURI} and eKuiper do. */
  private static URI url(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw UploadException.invalid(GET_FILE + "parse \"" + url + "\": invalid URI for request");
    }
    if (uri.getScheme() == null) {
      throw UploadException.invalid(
          GET_FILE
              + (url.startsWith("/")
                  ? "unsupported url scheme "
                  : "parse \"" + url + "\": invalid URI for request"));
    }
    if (uri.isOpaque()) {
      throw UploadException.invalid(GET_FILE + "parse \"" + url + "\": invalid URI for request");
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    switch (scheme) {
      case "file" -> {
        if (uri.getPath() == null || uri.getPath().isEmpty()) {
          throw UploadException.invalid(GET_FILE + "open : no such file or directory");
        }
      }
      case "http", "https" -> {
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
          throw UploadException.invalid(
              GET_FILE + "Get \"" + url + "\": http: no Host in request URL");
        }
      }
      default -> throw UploadException.invalid(GET_FILE + "unsupported url scheme " + scheme);
    }
    return scheme.equals(uri.getScheme())
        ? uri
        : URI.create(scheme + url.substring(scheme.length()));
  }

  @Override
  public void delete(String name) {
    FileNames.check(name, DELETE);
    Path file = folder.resolve(name);
    try {
      Files.delete(file);
      syncFolder();
    } catch (NoSuchFileException e) {
      throw UploadException.notFound(DELETE + "removeat " + name + ": no such file or directory");
    } catch (DirectoryNotEmptyException e) {
      throw UploadException.invalid(DELETE + "removeat " + name + ": directory not empty");
    } catch (IOException e) {
      throw UploadException.invalid(DELETE + "removeat " + name + ": " + reason(e));
    }
  }

  /** A temporary file forced to disk, and the name it is saved as. */
  private record Temp(String name, Path file, long bytes, String sha256) {}

  /** Streams {@code content} into a new temporary file, forced to disk; deleted on failure. */
  private Temp write(String name, InputStream content) throws IOException {
    Path temp = newTempName();
    MessageDigest digest = sha256();
    long bytes = 0;
    boolean done = false;
    try (FileChannel out =
        FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      byte[] buffer = new byte[BUFFER];
      ByteBuffer wrap = ByteBuffer.wrap(buffer);
      while (true) {
        // Fill the buffer before writing: a form's content comes in pieces of any size.
        int filled = 0;
        for (int n; filled < buffer.length; filled += n) {
          n = content.read(buffer, filled, buffer.length - filled);
          if (n < 0) {
            break;
          }
        }
        if (filled == 0) {
          break;
        }
        bytes += filled;
        if (bytes > maxBytes) {
          throw new BodyTooLarge();
        }
        digest.update(buffer, 0, filled);
        wrap.clear().limit(filled);
        while (wrap.hasRemaining()) {
          out.write(wrap);
        }
        if (filled < buffer.length) {
          break;
        }
      }
      out.force(true);
      done = true;
    } finally {
      if (!done) {
        deleteQuietly(temp);
      }
    }
    return new Temp(name, temp, bytes, HexFormat.of().formatHex(digest.digest()));
  }

  /** Renames the temporary file over its name and syncs the folder, so the rename is durable. */
  private Upload commit(Temp temp) throws IOException {
    Path target = folder.resolve(temp.name());
    Files.move(temp.file(), target, StandardCopyOption.ATOMIC_MOVE);
    syncFolder();
    return new Upload(temp.name(), target, temp.bytes(), temp.sha256());
  }

  private Path newTempName() {
    byte[] id = new byte[12];
    random.nextBytes(id);
    return folder.resolve(TEMP_PREFIX + HexFormat.of().formatHex(id));
  }

  private void syncFolder() throws IOException {
    try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
      dir.force(true);
    }
  }

  private static void discard(Temp temp) {
    if (temp != null) {
      deleteQuietly(temp.file());
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warning("cannot delete the unfinished upload " + file + ": " + e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** An I/O failure as one line: the JDK's reason, as Go's texts end. */
  private static String reason(IOException e) {
    String message = e.getMessage();
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getFile() + ": " + fs.getReason();
    }
    return message == null ? e.getClass().getSimpleName() : message;
  }

  /** The body passed {@code kpm.uploads.maxBytes}. */
  private static final class BodyTooLarge extends IOException {
    BodyTooLarge() {
      super("body too large", null);
    }
  }

  /** The client's body could not be read (the connection broke): the form is incomplete. */
  private static final class BodyUnreadable extends IOException {
    BodyUnreadable(IOException cause) {
      super(cause.getMessage() == null ? "unexpected EOF" : cause.getMessage(), cause);
    }
  }

  /**
   * The request body, counted: more than {@code cap} bytes is {@link BodyTooLarge}, whatever the
   * Content-Length said (a chunked body has none); a failed read is {@link BodyUnreadable}.
   */
  private static final class CappedBody extends FilterInputStream {
    private final long cap;
    private long count;

    CappedBody(InputStream in, long cap) {
      super(in);
      this.cap = cap;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = in.read(b, off, len);
      } catch (IOException e) {
        throw new BodyUnreadable(e);
      }
      if (n > 0) {
        count += n;
        if (count > cap) {
          throw new BodyTooLarge();
        }
      }
      return n;
    }
  }
}
