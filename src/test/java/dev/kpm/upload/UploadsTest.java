package dev.kpm.upload;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kpm.install.download.DownloadPolicy;
import dev.kpm.install.download.Downloader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The uploads store on a real folder: what a save returns and leaves, and that a failed save —
 * truncated, over the cap, a broken connection — leaves the folder as it was.
 */
class UploadsTest {
  private static final String CT = "multipart/form-data; boundary=bnd";
  private static final int CAP = 10_000;

  @TempDir Path dir;
  private Path folder;
  private Downloader downloader;
  private Uploads uploads;

  @BeforeEach
  void open() {
    folder = dir.resolve("data/uploads");
    downloader = new Downloader(DownloadPolicy.defaults(folder));
    uploads = new Uploads(folder, CAP, 1000, downloader);
  }

  @AfterEach
  void close() {
    downloader.close();
  }

  private static byte[] form(String filename, String content) {
    return ("--bnd\r\nContent-Disposition: form-data; name=\"uploadFile\"; filename=\""
            + filename
            + "\"\r\n\r\n"
            + content
            + "\r\n--bnd--\r\n")
        .getBytes(UTF_8);
  }

  private List<String> folder() throws IOException {
    try (Stream<Path> entries = Files.list(folder)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aSaveReturnsTheAbsolutePathTheLengthAndTheSha256OfWhatItWrote() throws Exception {
    Upload upload = uploads.saveForm(CT, new ByteArrayInputStream(form("a.txt", "hello")));
    String sha =
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest("hello".getBytes()));
    assertEquals(new Upload("a.txt", folder.resolve("a.txt"), 5, sha), upload);
    assertEquals("hello", Files.readString(upload.path()));
    assertEquals(List.of(folder.resolve("a.txt")), uploads.list());
  }

  @Test
  void aSecondSaveOfANameReplacesTheFirst() throws Exception {
    uploads.saveContent("c.json", "{}");
    uploads.save("c.json", new ByteArrayInputStream("[]".getBytes(UTF_8)));
    assertEquals("[]", Files.readString(folder.resolve("c.json")));
    assertEquals(List.of("c.json"), folder());
  }

  @Test
  void aTruncatedFormLeavesNothingAndKeepsThePreviousFile() throws Exception {
    uploads.saveContent("keep.bin", "old");
    byte[] whole = form("keep.bin", "x".repeat(5000));
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 20);
    UploadException e =
        assertThrows(
            UploadException.class, () -> uploads.saveForm(CT, new ByteArrayInputStream(cut)));
    assertEquals("Error parse the multi part form: unexpected EOF", e.getMessage());
    assertEquals(400, e.status());
    assertEquals("old", Files.readString(folder.resolve("keep.bin")));
    assertEquals(List.of("keep.bin"), folder());
  }

  @Test
  void aBodyOverTheCapIs413AndLeavesNothing() throws Exception {
    UploadException e =
        assertThrows(
            UploadException.class,
            () ->
                uploads.saveForm(
                    CT, new ByteArrayInputStream(form("big.bin", "x".repeat(CAP - 50)))));
    assertEquals(413, e.status());
    assertEquals("request body larger than 10000 bytes (kpm.uploads.maxBytes)", e.getMessage());
    assertEquals(List.of(), folder());
  }

  @Test
  void aConnectionThatBreaksMidFormIsAnIncompleteFormAndLeavesNothing() throws Exception {
    byte[] start = java.util.Arrays.copyOf(form("cut.bin", "y".repeat(5000)), 3000);
    InputStream breaking =
        new java.io.SequenceInputStream(
            new ByteArrayInputStream(start),
            new InputStream() {
              @Override
              public int read() throws IOException {
                throw new IOException("Connection reset by peer");
              }
            });
    UploadException e = assertThrows(UploadException.class, () -> uploads.saveForm(CT, breaking));
    assertEquals("Error parse the multi part form: Connection reset by peer", e.getMessage());
    assertEquals(List.of(), folder());
  }

  @Test
  void aJsonBodyOverItsCapIs413() {
    UploadException e =
        assertThrows(
            UploadException.class,
            () ->
                uploads.saveJson(
                    new ByteArrayInputStream(
                        ("{\"name\":\"n\",\"content\":\"" + "z".repeat(1000) + "\"}")
                            .getBytes(UTF_8))));
    assertEquals(413, e.status());
    assertEquals("request body larger than 1000 bytes (kpm.http.maxBodyBytes)", e.getMessage());
  }

  @Test
  void jsonBodiesAreDecodedAsGoDecodesThemAndRefusedInEKuipersWords() {
    String[][] cases = {
      {"", "Invalid body: Error decoding file json: EOF"},
      {"{\"name\":", "Invalid body: Error decoding file json: unexpected EOF"},
      {
        "[]",
        "Invalid body: Error decoding file json: json: cannot unmarshal array into Go value of"
            + " type server.fileContent"
      },
      {
        "{\"name\":1,\"content\":\"x\"}",
        "Invalid body: Error decoding file json: json: cannot unmarshal number into Go struct"
            + " field fileContent.name of type string"
      },
      {
        "{\"name\":\"n\"}",
        "Invalid body: missing necessary field: invalid body: content or FilePath is required"
      },
      {
        "{\"content\":\"x\"}",
        "Invalid body: missing necessary field: invalid body: name is required"
      },
      {
        "{\"name\":\"n\",\"file\":\"ftp://h/x\"}",
        "Upload error: getFile has error: unsupported url scheme ftp"
      },
      {
        "{\"name\":\"n\",\"file\":\"x.json\"}",
        "Upload error: getFile has error: parse \"x.json\": invalid URI for request"
      },
      {
        "{\"name\":\"n\",\"file\":\"http:///x.json\"}",
        "Upload error: getFile has error: Get \"http:///x.json\": http: no Host in request URL"
      },
    };
    for (String[] c : cases) {
      UploadException e =
          assertThrows(
              UploadException.class,
              () -> uploads.saveJson(new ByteArrayInputStream(c[0].getBytes(UTF_8))),
              c[0]);
      assertEquals(c[1], e.getMessage(), c[0]);
      assertEquals(400, e.status());
    }
  }

  @Test
  void temporaryFilesAKilledKpmLeftAreDeletedAtTheNextStart() throws Exception {
    Files.writeString(folder.resolve(".upload-0123abcd"), "half");
    Files.writeString(folder.resolve("kept.txt"), "kept");
    new Uploads(folder, CAP, 1000, downloader);
    assertEquals(List.of("kept.txt"), folder());
  }

  @Test
  void aMissingNameIsNotFoundWithEKuipersText() {
    UploadException e = assertThrows(UploadException.class, () -> uploads.delete("nothing"));
    assertEquals(404, e.status());
    assertEquals(1002, e.code());
    assertEquals(
        "Error deleting the file: removeat nothing: no such file or directory", e.getMessage());
  }
}
