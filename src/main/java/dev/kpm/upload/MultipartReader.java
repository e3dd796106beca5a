package dev.kpm.upload;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a {@code multipart/form-data} body (RFC 7578 over RFC 2046 §5.1) part by part as it
 * arrives, holding one buffer of it and never a whole part: each part's content is a stream that
 * ends at the next delimiter, which may lie across any two reads of the underlying stream. The
 * headers of a part are bounded ({@link #MAX_HEADER_BYTES}), and so is the number of parts ({@link
 * #MAX_PARTS}); the body's total size is the caller's to bound. Anything else — no delimiter, a
 * truncated part, a header line without a colon — is a {@link MultipartException}, never a wait:
 * every read either makes progress or ends in one. Used by one thread.
 *
 * <p>As Go's {@code mime/multipart}, which eKuiper uses: a preamble before the first boundary is
 * skipped, transport padding after a boundary is allowed, the body ends at the close delimiter (the
 * epilogue is not read), a part's name counts only with disposition {@code form-data}, and a part
 * with a non-empty {@code filename} is a file. Unlike Go, line ends are CRLF only.
 */
final class MultipartReader {
  static final int BUFFER = 64 * 1024;
  static final int MAX_HEADER_BYTES = 16 * 1024;
  static final int MAX_PARTS = 64;
  static final int MAX_BOUNDARY = 70;

  /** Where a candidate delimiter's line ends: not a delimiter, or not known before more bytes. */
  private static final int NOT_A_DELIMITER = -1;

  private static final int UNDECIDED = -2;

  /**
   * One part.
   *
   * @param name the form field's name; empty unless the disposition is {@code form-data}
   * @param filename the {@code filename} parameter as sent, or null when there is none
   * @param body the part's content, ending at the next delimiter; read it before the next part
   */
  record Part(String name, String filename, InputStream body) {
    /** A file part, as Go's {@code FormFile} sees it: a non-empty file name. */
    boolean isFile() {
      return filename != null && !filename.isEmpty();
    }
  }

  private final InputStream in;
  private final byte[] delimiter;
  private final byte[] buf;
  private final int maxHeaderBytes;
  private final int maxParts;
  private int pos;
  private int lim;
  private boolean eof;

  /** Bytes [pos, dataEnd) are content of the current segment (a part, or the preamble). */
  private int dataEnd;

  /** When not negative: a delimiter starts at {@link #dataEnd} and its line ends here. */
  private int delimiterEnd = -1;

  private boolean delimiterCloses;
  private boolean candidateCloses;
  private boolean segmentEnded;
  private boolean closed;
  private boolean inPreamble = true;
  private int parts;
  private PartBody current;

  MultipartReader(InputStream in, String boundary) {
    this(in, boundary, BUFFER, MAX_HEADER_BYTES, MAX_PARTS);
  }

  /** With another buffer size and limits: for tests. */
  MultipartReader(
      InputStream in, String boundary, int bufferSize, int maxHeaderBytes, int maxParts) {
    this.in = Objects.requireNonNull(in, "in");
    this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    if (bufferSize < 2 * delimiter.length + 8) {
      throw new IllegalArgumentException("buffer too small for the boundary: " + bufferSize);
    }
    this.buf = new byte[bufferSize];
    this.maxHeaderBytes = Math.min(maxHeaderBytes, bufferSize - 2);
    this.maxParts = maxParts;
    // The first boundary may open the body without a line end before it: read the body as if
    // one were there, so the first delimiter is found like every other.
    buf[0] = '\r';
    buf[1] = '\n';
    lim = 2;
  }

  /**
   * The boundary of a {@code multipart/form-data} Content-Type, with Go's texts for the two
   * refusals eKuiper reports.
   */
  static String boundary(String contentType) throws MultipartException {
    MediaValue value = contentType == null ? null : MediaValue.parse(contentType);
    if (value == null || !value.type().equals("multipart/form-data")) {
      throw new MultipartException("request Content-Type isn't multipart/form-data");
    }
    String boundary = value.params().get("boundary");
    if (boundary == null) {
      throw new MultipartException("no multipart boundary param in Content-Type");
    }
    if (boundary.isEmpty() || boundary.length() > MAX_BOUNDARY) {
      throw new MultipartException(
          "multipart: the boundary must have 1 to " + MAX_BOUNDARY + " characters");
    }
    for (int i = 0; i < boundary.length(); i++) {
      char c = boundary.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new MultipartException("multipart: the boundary must be printable ASCII");
      }
    }
    return boundary;
  }

  /**
   * The next part, after the rest of the current one is skipped; null once the close delimiter has
   * been read.
   */
  Part next() throws IOException {
    if (closed) {
      return null;
    }
    if (current != null) {
      current.skipRest();
      current = null;
    } else if (inPreamble) {
      skipSegment();
      inPreamble = false;
    }
    if (delimiterCloses) {
      closed = true;
      return null;
    }
    if (++parts > maxParts) {
      throw new MultipartException("multipart: more than " + maxParts + " parts");
    }
    Map<String, String> headers = headers();
    MediaValue disposition = MediaValue.parse(headers.getOrDefault("content-disposition", ""));
    String name = "";
    String filename = null;
    if (disposition != null) {
      filename = disposition.params().get("filename");
      if (disposition.type().equals("form-data")) {
        name = disposition.params().getOrDefault("name", "");
      }
    }
    segmentEnded = false;
    current = new PartBody();
    return new Part(name, filename, current);
  }

  private void skipSegment() throws IOException {
    byte[] scratch = new byte[8192];
    while (readSegment(scratch, 0, scratch.length) >= 0) {
      // skipped
    }
  }

  /** Content of the current segment; -1 once its delimiter has been passed. */
  private int readSegment(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return segmentEnded ? -1 : 0;
    }
    while (true) {
      if (segmentEnded) {
        return -1;
      }
      if (pos < dataEnd) {
        int n = Math.min(len, dataEnd - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
      }
      if (delimiterEnd >= 0) {
        pos = delimiterEnd;
        delimiterEnd = -1;
        dataEnd = pos;
        delimiterCloses = candidateCloses;
        segmentEnded = true;
        return -1;
      }
      scan();
    }
  }

  /**
   * From {@code pos == dataEnd}: finds how far content goes — up to a delimiter, or up to the last
   * bytes that could still begin one — reading more when nothing can be decided yet.
   */
  private void scan() throws IOException {
    while (true) {
      boolean undecidedHere = false;
      int from = pos;
      for (int at; (at = indexOf(delimiter, from)) >= 0; from = at + 1) {
        int end = lineEnd(at + delimiter.length);
        if (end >= 0) {
          dataEnd = at;
          delimiterEnd = end;
          return;
        }
        if (end == UNDECIDED) {
          if (at > pos) {
            dataEnd = at;
            return;
          }
          undecidedHere = true;
          break;
        }
      }
      if (!undecidedHere) {
        // A delimiter starting before this point would lie wholly in the buffer and been found.
        int safe = lim - (delimiter.length - 1);
        if (safe > pos) {
          dataEnd = safe;
          return;
        }
      }
      fill();
    }
  }

  /**
   * After {@code \r\n--boundary} at {@code j}: {@code --} closes the body; else transport padding
   * (spaces, tabs) and CRLF end the delimiter's line. Anything else is content.
   */
  private int lineEnd(int j) {
    if (lim - j < 2) {
      return eof ? NOT_A_DELIMITER : UNDECIDED;
    }
    if (buf[j] == '-' && buf[j + 1] == '-') {
      candidateCloses = true;
      return j + 2;
    }
    int k = j;
    while (k < lim && (buf[k] == ' ' || buf[k] == '\t')) {
      k++;
    }
    if (lim - k < 2) {
      return eof ? NOT_A_DELIMITER : UNDECIDED;
    }
    if (buf[k] == '\r' && buf[k + 1] == '\n') {
      candidateCloses = false;
      return k + 2;
    }
    return NOT_A_DELIMITER;
  }

  /** The header block of a part: names lower-cased, the first of repeated headers kept. */
  private Map<String, String> headers() throws IOException {
    List<String> lines = new ArrayList<>();
    int total = 0;
    while (true) {
      int eol = indexOf(CRLF, pos);
      if (eol < 0) {
        if (total + (lim - pos) > maxHeaderBytes) {
          throw headersTooLarge();
        }
        dataEnd = pos;
        fill();
        continue;
      }
      int length = eol - pos;
      total += length + 2;
      if (total > maxHeaderBytes) {
        throw headersTooLarge();
      }
      String line = new String(buf, pos, length, StandardCharsets.UTF_8);
      pos = eol + 2;
      if (length == 0) {
        break;
      }
      lines.add(line);
    }
    dataEnd = pos;
    return parseHeaders(lines);
  }

  private static final byte[] CRLF = {'\r', '\n'};

  private MultipartException headersTooLarge() {
    return new MultipartException(
        "multipart: the headers of part "
            + parts
            + " are larger than "
            + maxHeaderBytes
            + " bytes");
  }

  private static Map<String, String> parseHeaders(List<String> lines) throws MultipartException {
    Map<String, String> headers = new LinkedHashMap<>();
    String lastName = null;
    for (String line : lines) {
      if (line.startsWith(" ") || line.startsWith("\t")) {
        if (lastName == null) {
          throw new MultipartException("malformed MIME header initial line: " + line);
        }
        // Obsolete line folding: a continuation of the header before.
        headers.computeIfPresent(lastName, (k, v) -> v + " " + line.strip());
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new MultipartException("malformed MIME header line: " + line);
      }
      String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
      headers.putIfAbsent(name, line.substring(colon + 1).strip());
      lastName = name;
    }
    return headers;
  }

  /**
   * Makes room and reads more; at the end of the input, the body ended too early. Called only with
   * {@code pos == dataEnd}, so nothing unread is lost by moving the buffer.
   */
  private void fill() throws IOException {
    if (eof) {
      throw new MultipartException(inPreamble ? "multipart: NextPart: EOF" : "unexpected EOF");
    }
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, lim - pos);
      lim -= pos;
      pos = 0;
      dataEnd = 0;
    }
    if (lim == buf.length) {
      throw new MultipartException("multipart: a boundary line longer than the buffer");
    }
    int n = in.read(buf, lim, buf.length - lim);
    if (n < 0) {
      eof = true;
    } else {
      lim += n;
    }
  }

  private int indexOf(byte[] needle, int from) {
    byte first = needle[0];
    int last = lim - needle.length;
    for (int i = from; i <= last; i++) {
      if (buf[i] != first) {
        continue;
      }
      int k = 1;
      while (k < needle.length && buf[i + k] == needle[k]) {
        k++;
      }
      if (k == needle.length) {
        return i;
      }
    }
    return -1;
  }

  /** The content of the current part: ends at the next delimiter. */
  private final class PartBody extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (current != this) {
        return -1;
      }
      return readSegment(b, off, len);
    }

    void skipRest() throws IOException {
      skipSegment();
    }
  }
}
