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
 * A response that keeps the start of an error body (status 400 and up) while passing everything
 * through: what the audit trail records as the error text of a failed change. It also holds the
 * response back — flushes and closes wait for the container's end of the request — so a client
 * never sees the answer of a change before its audit event is written (the bodies of changes are
 * short texts, well within the container's response buffer).
 */
final class CapturedResponse extends HttpServletResponseWrapper {
  private static final int MAX = 8192;
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ByteArrayOutputStream head = new ByteArrayOutputStream();
  private ServletOutputStream out;

  CapturedResponse(HttpServletResponse response) {
    super(response);
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    if (out == null) {
      out = new Tee(super.getOutputStream());
    }
    return out;
  }

  @Override
  public void flushBuffer() {
    // held back, as the stream's flush
  }

  /** The error text answered: the {@code message} of kpm's error body, else the body; or null. */
  String errorMessage() {
    if (getStatus() < 400 || head.size() == 0) {
      return null;
    }
    String body = head.toString(StandardCharsets.UTF_8);
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

  private void capture(byte[] b, int off, int len) {
    if (getStatus() >= 400 && head.size() < MAX) {
      head.write(b, off, Math.min(len, MAX - head.size()));
    }
  }

  private final class Tee extends ServletOutputStream {
    private final ServletOutputStream real;

    Tee(ServletOutputStream real) {
      this.real = real;
    }

    @Override
    public void write(int b) throws IOException {
      capture(new byte[] {(byte) b}, 0, 1);
      real.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      capture(b, off, len);
      real.write(b, off, len);
    }

    @Override
    public void flush() {
      // held back: the container sends the response once the filter has recorded the change
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
