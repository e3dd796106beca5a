package dev.kpm.api;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.ByteArrayInputStream;

/** A chunked body read whole (it is at most {@code kpm.http.maxBodyBytes}). */
final class BufferedBodyRequest extends HttpServletRequestWrapper {
  private final byte[] body;

  BufferedBodyRequest(HttpServletRequest request, byte[] body) {
    super(request);
    this.body = body;
  }

  @Override
  public int getContentLength() {
    return body.length;
  }

  @Override
  public long getContentLengthLong() {
    return body.length;
  }

  @Override
  public ServletInputStream getInputStream() {
    ByteArrayInputStream in = new ByteArrayInputStream(body);
    return new ServletInputStream() {
      @Override
      public int read() {
        return in.read();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        return in.read(b, off, len);
      }

      @Override
      public boolean isFinished() {
        return in.available() == 0;
      }

      @Override
      public boolean isReady() {
        return true;
      }

      @Override
      public void setReadListener(ReadListener listener) {
        throw new IllegalStateException("a buffered body is read blocking");
      }
    };
  }

  @Override
  public java.io.BufferedReader getReader() {
    return new java.io.BufferedReader(
        new java.io.InputStreamReader(
            new ByteArrayInputStream(body),
            java.nio.charset.Charset.forName(
                getCharacterEncoding() == null ? "UTF-8" : getCharacterEncoding())));
  }
}
