package dev.kpm.install.download;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads of file:// sources: both URI forms, non-regular files, confinement, the size cap. A
 * FIFO needs {@code mkfifo}, a process: {@link DownloaderFileIT}.
 */
@Timeout(20)
class DownloaderFileTest {
  @TempDir Path dir;
  private Path uploads;
  private Path outside;
  private Path target;

  @BeforeEach
  void folders() throws Exception {
    uploads = Files.createDirectories(dir.resolve("data/uploads"));
    outside = Files.createDirectories(dir.resolve("elsewhere"));
    target = Files.createDirectories(dir.resolve("tmp")).resolve("download.zip");
  }

  private DownloadPolicy policy(boolean confine, long maxBytes) {
    return new DownloadPolicy(Duration.ofSeconds(10), maxBytes, confine, uploads, false, Set.of());
  }

  private Download fetch(boolean confine, URI uri) throws Exception {
    return new Downloader(policy(confine, 1 << 20)).fetch(uri, target);
  }

  private String failure(DownloadPolicy policy, URI uri) {
    DownloadException e =
        assertThrows(DownloadException.class, () -> new Downloader(policy).fetch(uri, target));
    assertFalse(Files.exists(target), "the target must be deleted after a failure");
    return e.getMessage();
  }

  private String failure(boolean confine, URI uri) {
    return failure(policy(confine, 1 << 20), uri);
  }

  private static URI tripleSlash(Path p) {
    return URI.create("file://" + p);
  }

  private static URI singleSlash(Path p) {
    return URI.create("file:" + p);
  }

  private static Path zip(Path folder, String name, byte[] content) throws Exception {
    return Files.write(folder.resolve(name), content);
  }

  @Test
  void bothFileUriFormsCopyTheBytesWithTheirDigest() throws Exception {
    byte[] body = DownloaderTest.randomBytes(200_000);
    Path source = zip(outside, "x.zip", body);

    for (URI uri : new URI[] {tripleSlash(source), singleSlash(source)}) {
      Download d = fetch(false, uri);
      assertEquals(new Download(target, DownloaderTest.sha256(body), body.length), d);
      assertArrayEquals(body, Files.readAllBytes(target));
      Files.delete(target);
    }
  }

  @Test
  void missingFileFailsWithGoStatText() {
    Path missing = outside.resolve("missing.zip");
    assertEquals(
        "stat " + missing + ": no such file or directory", failure(false, tripleSlash(missing)));
  }

  @Test
  void folderIsNotARegularFile() throws Exception {
    Path folder = Files.createDirectories(outside.resolve("folder.zip"));
    assertEquals(folder + " is not a regular file", failure(false, tripleSlash(folder)));
  }

  @Test
  void fileLargerThanTheCapIsRefused() throws Exception {
    Path source = zip(outside, "big.zip", new byte[1001]);
    assertEquals(
        "file is larger than the 1000-byte limit",
        failure(policy(false, 1000), tripleSlash(source)));
  }

  @Test
  void aCapGivenWithTheCallReplacesThePolicys() throws Exception {
    Path source = zip(outside, "big.zip", new byte[1001]);
    DownloadException e =
        assertThrows(
            DownloadException.class,
            () -> new Downloader(policy(false, 1 << 20)).fetch(tripleSlash(source), target, 1000));
    assertEquals("file is larger than the 1000-byte limit", e.getMessage());
    assertFalse(Files.exists(target));
    assertEquals(
        1001, new Downloader(policy(false, 1000)).fetch(tripleSlash(source), target, 1001).bytes());
  }

  @Test
  void confinedDownloadReadsFilesInsideUploads() throws Exception {
    byte[] body = {1, 2, 3};
    Path nested = Files.createDirectories(uploads.resolve("team"));
    zip(nested, "x.zip", body);
    assertEquals(3, fetch(true, tripleSlash(nested.resolve("x.zip"))).bytes());
  }

  @Test
  void confinedDownloadRefusesFilesOutsideUploads() throws Exception {
    Path source = zip(outside, "x.zip", new byte[] {1});
    String denied = "file access denied: path must be under " + uploads;

    assertEquals(denied, failure(true, tripleSlash(source)));
    assertEquals(denied, failure(true, URI.create("file://" + uploads + "/../../elsewhere/x.zip")));
    assertEquals(denied, failure(true, tripleSlash(outside.resolve("missing.zip"))));
  }

  @Test
  void confinedDownloadRefusesASymlinkInsideUploadsThatPointsOutside() throws Exception {
    Path source = zip(outside, "x.zip", new byte[] {1});
    Path link = Files.createSymbolicLink(uploads.resolve("link.zip"), source);
    Path linkedFolder = Files.createSymbolicLink(uploads.resolve("out"), outside);
    String denied = "file access denied: path must be under " + uploads;

    assertEquals(denied, failure(true, tripleSlash(link)));
    assertEquals(denied, failure(true, tripleSlash(linkedFolder.resolve("x.zip"))));
    assertEquals(1, fetch(false, tripleSlash(link)).bytes(), "unconfined downloads follow links");
  }

  @Test
  void confinedDownloadReportsAMissingFileInsideUploadsAsMissing() {
    Path missing = uploads.resolve("missing.zip");
    assertEquals(
        "stat " + missing + ": no such file or directory", failure(true, tripleSlash(missing)));
  }
}
