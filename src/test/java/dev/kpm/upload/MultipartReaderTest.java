package dev.kpm.upload;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streaming multipart reader: parts found wherever the reads of the underlying stream split a
 * delimiter, content that merely resembles one kept as content, and every malformed or truncated
 * body ending in a {@link MultipartException} with a clear text — never a wait.
 */
class MultipartReaderTest {
  private static final String B = "XyZ-boundary-42";

  /** Content that holds a delimiter's prefix and a false delimiter (the boundary plus a letter). */
  private static final String TRICKY = "a\r\n--XyZ-bound\r\n--XyZ-boundary-42X\r\n-\rz\r\n";

  private static final String FORM =
      "preamble, ignored\r\n"
          + "--"
          + B
          + "\r\n"
          + "Content-Disposition: form-data; name=\"note\"\r\n"
          + "\r\n"
          + "hello\r\n"
          + "--"
          + B
          + " \t\r\n" // transport padding
          + "Content-Disposition: form-data; name=\"uploadFile\"; filename=\"my.json\"\r\n"
          + "Content-Type: application/octet-stream\r\n"
          + "\r\n"
          + TRICKY
          + "\r\n--"
          + B
          + "\r\n"
          + "Content-Disposition: form-data; name=\"empty\"\r\n"
          + "\r\n"
          + "\r\n--"
          + B
          + "--\r\n"
          + "epilogue, never read";

  private static final List<String> PARTS =
      List.of("note|null|hello", "uploadFile|my.json|" + TRICKY, "empty|null|");

  /** Each part as {@code name|filename|content}, reading content with {@code chunk}-byte reads. */
  private static List<String> parse(InputStream in, int bufferSize, int chunk) throws IOException {
    MultipartReader reader =
        new MultipartReader(
            in, B, bufferSize, MultipartReader.MAX_HEADER_BYTES, MultipartReader.MAX_PARTS);
    List<String> parts = new ArrayList<>();
    for (MultipartReader.Part p = reader.next(); p != null; p = reader.next()) {
      ByteArrayOutputStream content = new ByteArrayOutputStream();
      byte[] buffer = new byte[chunk];
      for (int n; (n = p.body().read(buffer)) >= 0; ) {
        content.write(buffer, 0, n);
      }
      parts.add(p.name() + "|" + p.filename() + "|" + content.toString(UTF_8));
    }
    assertEquals(null, reader.next(), "the end stays the end");
    return parts;
  }

  private static List<String> parse(String body) throws IOException {
    return parse(new ByteArrayInputStream(body.getBytes(UTF_8)), MultipartReader.BUFFER, 8192);
  }

  /** Hands out {@code first} bytes on the first reads, then the rest, as a network might. */
  private static InputStream splitAt(byte[] body, int first) {
    return new InputStream() {
      private int pos;

      @Override
      public int read() {
        return pos < body.length ? body[pos++] & 0xff : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (pos == body.length) {
          return -1;
        }
        int end = pos < first ? first : body.length;
        int n = Math.min(len, Math.max(1, end - pos));
        System.arraycopy(body, pos, b, off, n);
        pos += n;
        return n;
      }
    };
  }

  @Test
  void everyPartIsFoundWhereverTheReadsSplitTheBody() throws IOException {
    byte[] body = FORM.getBytes(UTF_8);
    for (int split = 0; split <= body.length; split++) {
      assertEquals(PARTS, parse(splitAt(body, split), MultipartReader.BUFFER, 8192), "at " + split);
      // A small buffer (the longest header block fits) moves its window across every offset too.
      assertEquals(PARTS, parse(splitAt(body, split), 160, 5), "small buffer, split at " + split);
    }
  }

  @Test
  void aBodyArrivingOneByteAtATimeIsReadWhole() throws IOException {
    InputStream trickle =
        new ByteArrayInputStream(FORM.getBytes(UTF_8)) {
          @Override
          public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 1));
          }
        };
    assertEquals(PARTS, parse(trickle, 160, 3));
  }

  @Test
  void contentLargerThanTheBufferStreamsThrough() throws IOException {
    String big = "0123456789abcdef\r\n-".repeat(20_000); // 380 KB, many '\r' and '-'
    String body =
        "--"
            + B
            + "\r\nContent-Disposition: form-data; name=\"uploadFile\"; filename=\"big\"\r\n\r\n"
            + big
            + "\r\n--"
            + B
            + "--";
    assertEquals(List.of("uploadFile|big|" + big), parse(body));
  }

  @Test
  void aBodyOfOnlyTheCloseDelimiterHasNoParts() throws IOException {
    assertEquals(List.of(), parse("--" + B + "--\r\n"));
  }

  @Test
  void fileNamesFollowGosRules() throws IOException {
    String body =
        part("form-data; name=\"uploadFile\"; filename=\"C:\\dir\\a.txt\"")
            + part("form-data; name=\"q\"; filename=\"say \\\"hi\\\".txt\"")
            + part("form-data; name=\"utf\"; filename*=UTF-8''%E2%82%AC.txt")
            + part("attachment; name=\"ignored\"; filename=\"f\"")
            + "--"
            + B
            + "--";
    assertEquals(
        List.of(
            "uploadFile|C:\\dir\\a.txt|x",
            "q|say \"hi\".txt|x",
            "utf|€.txt|x",
            "|f|x"), // a name counts only with form-data
        parse(body));
  }

  private static String part(String disposition) {
    return "--" + B + "\r\nContent-Disposition: " + disposition + "\r\n\r\nx\r\n";
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "multipart/form-data; boundary=XyZ-boundary-42",
        "Multipart/Form-Data; boundary=\"XyZ-boundary-42\"",
        "multipart/form-data;boundary=XyZ-boundary-42; charset=utf-8"
      })
  void theBoundaryComesFromTheContentType(String contentType) throws MultipartException {
    assertEquals(B, MultipartReader.boundary(contentType));
  }

  @Test
  void contentTypesWithoutAFormOrABoundaryAreRefusedWithGosTexts() {
    for (String notForm :
        new String[] {
          null, "", "application/json", "text/plain; boundary=x", "multipart/form-data;;="
        }) {
      assertEquals(
          "request Content-Type isn't multipart/form-data",
          assertThrows(MultipartException.class, () -> MultipartReader.boundary(notForm))
              .getMessage(),
          notForm);
    }
    assertEquals(
        "no multipart boundary param in Content-Type",
        assertThrows(
                MultipartException.class, () -> MultipartReader.boundary("multipart/form-data"))
            .getMessage());
    assertEquals(
        "multipart: the boundary must have 1 to 70 characters",
        assertThrows(
                MultipartException.class,
                () -> MultipartReader.boundary("multipart/form-data; boundary=" + "b".repeat(71)))
            .getMessage());
  }

  /** A malformed body, and the text it fails with; each within seconds, never a hang. */
  private static void assertRefused(String body, String message) {
    MultipartException e =
        assertTimeoutPreemptively(
            Duration.ofSeconds(10),
            () -> assertThrows(MultipartException.class, () -> parse(body)),
            body);
    assertEquals(message, e.getMessage());
  }

  @Test
  void anEmptyBodyOrOneWithoutABoundaryIsRefusedAsGoRefusesIt() {
    assertRefused("", "multipart: NextPart: EOF");
    assertRefused("no boundary anywhere in here", "multipart: NextPart: EOF");
    assertRefused("--" + B + "X\r\n\r\nnot a delimiter", "multipart: NextPart: EOF");
  }

  @Test
  void truncatedBodiesAreRefusedWhereverTheyEnd() {
    String whole = FORM.substring(0, FORM.indexOf("epilogue"));
    int firstBoundaryEnd = FORM.indexOf("\r\n", FORM.indexOf("--" + B)) + 2;
    // Every cut after the first delimiter's line, before the close delimiter is complete.
    int closeEnd = whole.lastIndexOf("--") + 2;
    for (int cut = firstBoundaryEnd; cut < closeEnd; cut++) {
      assertRefused(whole.substring(0, cut), "unexpected EOF");
    }
  }

  @Test
  void aHeaderLineWithoutAColonIsMalformed() {
    assertRefused(
        "--" + B + "\r\nContent-Disposition form-data\r\n\r\nx\r\n--" + B + "--",
        "malformed MIME header line: Content-Disposition form-data");
  }

  @Test
  void headersLargerThanTheLimitAreRefused() {
    String huge = "X-Filler: " + "f".repeat(MultipartReader.MAX_HEADER_BYTES) + "\r\n";
    assertRefused(
        "--" + B + "\r\n" + huge + "\r\nx\r\n--" + B + "--",
        "multipart: the headers of part 1 are larger than 16384 bytes");
    // Without a line end at all, the reader stops at the limit too.
    assertRefused(
        "--" + B + "\r\nX-Filler: " + "f".repeat(100_000),
        "multipart: the headers of part 1 are larger than 16384 bytes");
  }

  @Test
  void moreThanTheAllowedPartsAreRefused() {
    String body =
        part("form-data; name=\"p\"").repeat(MultipartReader.MAX_PARTS + 1) + "--" + B + "--";
    assertRefused(body, "multipart: more than 64 parts");
  }

  @Test
  void paddingThatNeverEndsItsLineIsRefused() {
    assertRefused(
        "--" + B + " ".repeat(2 * MultipartReader.BUFFER),
        "multipart: a boundary line longer than the buffer");
  }
}
