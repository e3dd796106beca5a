package dev.kpm.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.Settings;
import dev.kpm.testing.ApiTest;
import dev.kpm.testing.FixtureServer;
import dev.kpm.testing.Http;
import dev.kpm.testing.TestPlugins;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * eKuiper's upload API over real HTTP on a kpm with API tokens, {@code file://} confined to the
 * uploads folder and a small upload cap: the three forms, list and delete, refused names, the cap
 * with and without a Content-Length, the exemption from the ordinary body cap, and a plugin
 * installed from an uploaded zip. Every refusal leaves the uploads folder as it was: no file, no
 * temporary file.
 */
class UploadsIT extends ApiTest {
  /** Larger than kpm.http.maxBodyBytes (1 MiB, the default), small enough to exceed quickly. */
  private static final int CAP = 1536 * 1024;

  private static final String BOUNDARY = "kpm-it-7MA4YWxkTrZu0gW";
  private static final ObjectMapper JSON = new ObjectMapper();

  private String admin;
  private String viewer;
  private Path uploads;
  private FixtureServer server;

  @Override
  protected Map<Settings.Key, String> settings() {
    return Map.of(
        Settings.Key.AUTH, "token",
        Settings.Key.UPLOADS_MAX_BYTES, Integer.toString(CAP),
        Settings.Key.CONFINE_FILE_URLS, "true");
  }

  @BeforeAll
  void tokensAndServer() {
    admin = kpm.token("it-admin", "admin");
    viewer = kpm.token("it-viewer", "viewer");
    uploads = kpm.home().resolve("data/uploads");
    server = new FixtureServer(fixtures);
  }

  @AfterAll
  void stopFixtureServer() {
    server.close();
  }

  /** Each test starts with an empty uploads folder. */
  @BeforeEach
  void emptyTheUploadsFolder() throws IOException {
    try (Stream<Path> entries = Files.list(uploads)) {
      for (Path p : entries.toList()) {
        Files.delete(p);
      }
    }
  }

  // ------------------------------------------------------------------------------- requests

  private HttpRequest.Builder request(String path, String credential) {
    HttpRequest.Builder b = HttpRequest.newBuilder(getBaseUri().resolve(path));
    return credential == null ? b : b.header("Authorization", "Bearer " + credential);
  }

  private HttpResponse<String> postForm(BodyPublisher body, String credential) {
    return Http.send(
        request("config/uploads", credential)
            .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
            .POST(body));
  }

  private HttpResponse<String> postForm(byte[] body) {
    return postForm(BodyPublishers.ofByteArray(body), admin);
  }

  private HttpResponse<String> postJson(String json) {
    return Http.send(
        request("config/uploads", admin)
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(json)));
  }

  private HttpResponse<String> list() {
    return Http.send(request("config/uploads", admin).GET());
  }

  private HttpResponse<String> delete(String name) {
    return Http.send(request("config/uploads/" + name, admin).DELETE());
  }

  /** A multipart form with the file in {@code uploadFile}, after an ordinary field. */
  private static byte[] form(String filename, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(
        ("--"
                + BOUNDARY
                + "\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nfrom UploadsIT\r\n"
                + "--"
                + BOUNDARY
                + "\r\nContent-Disposition: form-data; name=\"uploadFile\"; filename=\""
                + filename
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    out.writeBytes(content);
    out.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  /** Sent chunked: the request has no Content-Length. */
  private static BodyPublisher chunked(byte[] body) {
    return BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body));
  }

  /** Random bytes in which the delimiter's start ("\r\n--") occurs again and again. */
  private static byte[] content(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    byte[] lookalike = ("\r\n--" + BOUNDARY.substring(0, 10)).getBytes(StandardCharsets.US_ASCII);
    for (int at = 100; at + lookalike.length < size; at += 4099) {
      System.arraycopy(lookalike, 0, bytes, at, lookalike.length);
    }
    return bytes;
  }

  // ------------------------------------------------------------------------------- assertions

  private static void assertError(int status, int code, String message, HttpResponse<String> r) {
    assertEquals(
        "{\"error\":" + code + ",\"message\":" + quoted(message) + "}\n", r.body(), "body");
    assertEquals(status, r.statusCode());
    assertEquals(Optional.of("application/json"), r.headers().firstValue("Content-Type"));
  }

  private static String quoted(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** 201 with the stored file's absolute path as text; the path is returned. */
  private Path assertStored(String name, HttpResponse<String> r) {
    assertEquals(201, r.statusCode(), r.body());
    assertEquals(uploads.resolve(name).toString(), r.body());
    assertTrue(
        r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
        r.headers().toString());
    return Path.of(r.body());
  }

  /** Every entry of the uploads folder, hidden ones (temporary files) included. */
  private List<String> folder() {
    try (Stream<Path> entries = Files.list(uploads)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<String> listed() throws IOException {
    HttpResponse<String> r = list();
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(Optional.of("application/json"), r.headers().firstValue("Content-Type"));
    return Arrays.asList(JSON.readValue(r.body(), String[].class));
  }

  // ------------------------------------------------------------------------------- tests

  @Test
  void aMultipartUploadIsStoredWithItsBytesAndListedByItsAbsolutePath() throws Exception {
    byte[] bytes = content(300_000, 1);
    Path stored = assertStored("data.bin", postForm(form("data.bin", bytes)));
    assertArrayEquals(bytes, Files.readAllBytes(stored));
    assertEquals(List.of(stored.toString()), listed());
    assertEquals(List.of("data.bin"), folder(), "no temporary file is left");
  }

  @Test
  void theContentFormWritesTheTextInUtf8AndAcceptsEKuipersCapitalisedKeys() throws Exception {
    Path stored =
        assertStored(
            "my.json", postJson("{\"name\":\"my.json\",\"content\":\"{\\\"hello\\\":1}\"}"));
    assertEquals("{\"hello\":1}", Files.readString(stored));
    // eKuiper's own tests send the keys capitalised; Go matches keys in any case.
    Path second = assertStored("ü.txt", postJson("{\"Name\":\"ü.txt\",\"Content\":\"€\"}"));
    assertEquals("€", Files.readString(second, StandardCharsets.UTF_8));
    assertEquals(List.of(stored.toString(), second.toString()), listed());
  }

  @Test
  void theFileFormFetchesTheUrlWithKpmsDownloader() throws Exception {
    byte[] bytes = content(50_000, 2);
    server.bytes("/remote/schema.proto", bytes);
    Path stored =
        assertStored(
            "schema.proto",
            postJson(
                "{\"name\":\"schema.proto\",\"file\":\""
                    + server.uri("/remote/schema.proto")
                    + "\"}"));
    assertArrayEquals(bytes, Files.readAllBytes(stored));

    String missing = server.url("absent.proto");
    assertError(
        400,
        1000,
        "Upload error: getFile has error: cannot download the file with status: 404 Not Found",
        postJson("{\"name\":\"absent.proto\",\"file\":\"" + missing + "\"}"));
    // The download policy applies: file:// is confined to the uploads folder here.
    assertError(
        400,
        1000,
        "Upload error: getFile has error: file access denied: path must be under " + uploads,
        postJson("{\"name\":\"passwd\",\"file\":\"file:///etc/passwd\"}"));
    assertEquals(List.of("schema.proto"), folder());
  }

  @Test
  void anUploadReplacesAFileOfTheSameName() throws Exception {
    assertStored("cert.pem", postForm(form("cert.pem", "old".getBytes(StandardCharsets.UTF_8))));
    Path stored = assertStored("cert.pem", postJson("{\"name\":\"cert.pem\",\"content\":\"new\"}"));
    assertEquals("new", Files.readString(stored));
    assertEquals(List.of("cert.pem"), folder());
  }

  @Test
  void deleteRemovesTheFileAndAMissingNameIsNotFound() throws Exception {
    assertStored("gone.txt", postJson("{\"name\":\"gone.txt\",\"content\":\"x\"}"));
    HttpResponse<String> deleted = delete("gone.txt");
    assertEquals("ok", deleted.body());
    assertEquals(200, deleted.statusCode());
    assertEquals(List.of(), listed());
    assertEquals(List.of(), folder());
    assertError(
        404,
        1002,
        "Error deleting the file: removeat gone.txt: no such file or directory",
        delete("gone.txt"));
  }

  @Test
  void namesThatAreNotOneVisibleFileNameAreRefusedAndWriteNothing() throws Exception {
    String tooLong = "n".repeat(256);
    Map<String, String> refusals =
        Map.of(
            "../x",
            "invalid file name \"../x\": it contains / (kpm allows one file name, not a path)",
            "a/b",
            "invalid file name \"a/b\": it contains / (kpm allows one file name, not a path)",
            "a\\\\b",
            "invalid file name \"a\\b\": it contains \\ (kpm allows one file name, not a path)",
            ".hidden",
            "invalid file name \".hidden\": a name starting with . is hidden, and kpm keeps those"
                + " for itself",
            "..",
            "invalid file name \"..\": . and .. are folders, not file names",
            tooLong,
            "invalid file name: 256 bytes in UTF-8, more than 255 (kpm allows one file name, not a"
                + " path)");
    for (Map.Entry<String, String> refusal : refusals.entrySet()) {
      assertError(
          400,
          1000,
          "Upload error: getFile has error: " + refusal.getValue(),
          postJson("{\"name\":\"" + refusal.getKey() + "\",\"content\":\"pwned\"}"));
      String filename = refusal.getKey().replace("\\\\", "\\");
      assertError(
          400,
          1000,
          "Error saving the file: " + refusal.getValue(),
          postForm(form(filename, "pwned".getBytes(StandardCharsets.UTF_8))));
    }
    assertError(
        400,
        1000,
        "Invalid body: missing necessary field: invalid body: name is required",
        postJson("{\"name\":\"\",\"content\":\"pwned\"}"));
    // A part with an empty filename is no file, as in Go.
    assertError(
        400,
        1000,
        "Error Retrieving the File: http: no such file",
        postForm(form("", "pwned".getBytes(StandardCharsets.UTF_8))));
    // A 255-byte name is fine.
    assertStored(
        "m".repeat(255), postJson("{\"name\":\"" + "m".repeat(255) + "\",\"content\":\"ok\"}"));
    assertEquals(List.of("m".repeat(255)), folder());
    assertFalse(Files.exists(kpm.home().resolve("data/x")), "nothing escaped the folder");
    assertError(
        400,
        1000,
        "Error deleting the file: invalid file name \".hidden\": a name starting with . is hidden,"
            + " and kpm keeps those for itself",
        delete(".hidden"));
  }

  @Test
  void aFormBodyOverTheCapIsRefusedWith413ByItsContentLengthAndNothingIsWritten() {
    assertError(
        413,
        1000,
        "request body larger than " + CAP + " bytes (kpm.uploads.maxBytes)",
        postForm(form("big.bin", content(CAP, 3))));
    assertEquals(List.of(), folder());
  }

  @Test
  void aChunkedFormBodyOverTheCapIsRefusedWith413AndItsTemporaryFileIsRemoved() {
    assertError(
        413,
        1000,
        "request body larger than " + CAP + " bytes (kpm.uploads.maxBytes)",
        postForm(chunked(form("big.bin", content(CAP, 4))), admin));
    assertEquals(List.of(), folder());
  }

  @Test
  void aFormLargerThanTheOrdinaryBodyCapButUnderTheUploadCapIsAccepted() throws Exception {
    byte[] bytes = content(1280 * 1024, 5); // 1.25 MiB > kpm.http.maxBodyBytes (1 MiB)
    assertArrayEquals(
        bytes, Files.readAllBytes(assertStored("a.bin", postForm(form("a.bin", bytes)))));
    assertArrayEquals(
        bytes,
        Files.readAllBytes(assertStored("b.bin", postForm(chunked(form("b.bin", bytes)), admin))));
    assertEquals(List.of("a.bin", "b.bin"), folder());
  }

  @Test
  void aJsonBodyStaysUnderTheOrdinaryBodyCap() {
    String json = "{\"name\":\"big.json\",\"content\":\"" + "x".repeat(1024 * 1024) + "\"}";
    assertError(
        413,
        1000,
        "request body larger than 1048576 bytes (kpm.http.maxBodyBytes)",
        postJson(json));
    assertEquals(List.of(), folder());
  }

  @Test
  void malformedFormsAreRefusedInEKuipersWordsAndWriteNothing() {
    byte[] whole = form("cut.bin", content(200_000, 6));
    byte[] truncated = Arrays.copyOf(whole, whole.length - 100);
    assertError(400, 1000, "Error parse the multi part form: unexpected EOF", postForm(truncated));
    assertError(
        400,
        1000,
        "Error parse the multi part form: unexpected EOF",
        postForm(chunked(truncated), admin));
    String onlyAField =
        "--"
            + BOUNDARY
            + "\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\ny\r\n--"
            + BOUNDARY
            + "--\r\n";
    assertError(
        400,
        1000,
        "Error Retrieving the File: http: no such file",
        postForm(onlyAField.getBytes(StandardCharsets.US_ASCII)));
    assertError(
        400,
        1000,
        "Error parse the multi part form: request Content-Type isn't multipart/form-data",
        Http.send(
            request("config/uploads", admin)
                .header("Content-Type", "text/plain")
                .POST(BodyPublishers.ofString("hello"))));
    assertEquals(List.of(), folder());
  }

  @Test
  void onlyAnAdminMayUploadAndARefusedUploadWritesNothing() {
    byte[] body = form("nope.bin", content(CAP / 2, 7));
    HttpResponse<String> anonymous = postForm(chunked(body), null);
    assertError(401, 1000, "missing_token", anonymous);
    assertError(
        403,
        1000,
        "POST /config/uploads needs the admin role; it-viewer (token) has viewer",
        postForm(BodyPublishers.ofByteArray(body), viewer));
    assertEquals(403, Http.send(request("config/uploads", viewer).GET()).statusCode());
    assertEquals(List.of(), folder());
  }

  @Test
  void aNativePluginInstallsFromAnUploadedZipOverAFileUrl() throws Exception {
    Path zip = TestPlugins.zip("source-complete", fixtures);
    byte[] bytes = Files.readAllBytes(zip);
    Path stored = assertStored("random.zip", postForm(form("random.zip", bytes)));
    String sha256 =
        java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    HttpResponse<String> created =
        Http.send(
            request("plugins/sources", admin)
                .header("Content-Type", "application/json")
                .POST(
                    BodyPublishers.ofString(
                        "{\"name\":\"random\",\"file\":\"file://"
                            + stored
                            + "\",\"sha256\":\""
                            + sha256
                            + "\"}")));
    assertEquals("sources plugin random is created", created.body());
    assertEquals(201, created.statusCode());
    assertEquals(
        "{\"name\":\"random\",\"version\":\"1.0.0\"}",
        Http.send(request("plugins/sources/random", admin).GET()).body());
    assertTrue(Files.isRegularFile(kpm.home().resolve("plugins/sources/Random@v1.0.0.so")));
    assertEquals(List.of("random.zip"), folder(), "the upload stays for the next install");
  }
}
