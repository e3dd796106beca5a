package dev.kpm.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The response of an audited request, held back until the filter has recorded it: its body is kept
 * in memory (up to {@link #HELD} bytes — the answers of changes are short texts) and written to the
 * client by {@link #release}, so a client never sees the answer of a change before its audit event
 * exists. Holding the bytes, not only the flushes, matters: a container commits a response by
 * itself once as many bytes as its Content-Length were written. The start of an error body (status
 * 400 and up) is what the audit records as the error text.
 */
final class CapturedResponse extends HttpServletResponseWrapper {
  static final int HELD = 64 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ByteArrayOutputStream held = new ByteArrayOutputStream();
  private ServletOutputStream out;
  private ServletOutputStream real;
  private boolean passing;

  CapturedResponse(HttpServletResponse response) {
    super(response);
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    if (out == null) {
      real = super.getOutputStream();
      out = new Holder();
    }
    return out;
  }

  @Override
  public void flushBuffer() {
    // held back until release
  }

  /** Writes what was held to the client; call once the change is recorded. */
  void release() throws IOException {
    if (real != null && !passing) {
      passing = true;
      held.writeTo(real);
    }
  }

  /** The error text answered: the {@code message} of kpm's error body, else the body; or null. */
  String errorMessage() {
    if (getStatus() < 400 || held.size() == 0) {
      return null;
    }
    String body = new String(held.toByteArray(), 0, Math.min(held.size(), 8192), UTF8);
    try {
      JsonNode message = JSON.readTree(body).get("message");
      if (message != null && message.isTextual()) {
        return message.asText();
      }
    } catch (IOException | RuntimeException e) {
      // not kpm's JSON error body (or cut short): keep the text as it is
    }
    return body.strip();
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  /** Holds the body; past {@link #HELD} bytes it writes what it held and passes the rest on. */
  private final class Holder extends ServletOutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (!passing && held.size() + len > HELD) {
        release();
      }
      if (passing) {
        real.write(b, off, len);
      } else {
        held.write(b, off, len);
      }
    }

    @Override
    public void flush() throws IOException {
      if (passing) {
        real.flush();
      }
    }

    @Override
    public void close() {
      // the container closes the stream at the end of the request, after the filter
    }

    @Override
    public boolean isReady() {
      return real.isReady();
    }

    @Override
    public void setWriteListener(WriteListener listener) {
      real.setWriteListener(listener);
    }
  }
}
