package dev.kpm.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads one output stream of a script on its own daemon thread until end of stream: every line is
 * logged at INFO, the last bytes are kept in a {@link Tail}. The thread ends by itself at end of
 * stream or on a read error; nothing else stops it (closing a pipe does not unblock a read).
 */
public final class OutputPump implements Runnable {
  public static final String THREAD_PREFIX = "kpm-output-";
  private static final int MAX_LINE = 8192;

  private final InputStream in;
  private final Tail tail;
  private final Logger log;
  private final String prefix;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private final Thread thread;

  private OutputPump(InputStream in, String label, long pid, int tailBytes, Logger log) {
    this.in = in;
    this.tail = new Tail(tailBytes);
    this.log = log;
    this.prefix = label + ": ";
    this.thread = new Thread(this, THREAD_PREFIX + pid + "-" + label.replace(' ', '-'));
    thread.setDaemon(true);
  }

  /** Starts a pump; {@code label} (e.g. "install.sh stdout") prefixes every logged line. */
  public static OutputPump start(
      InputStream in, String label, long pid, int tailBytes, Logger log) {
    OutputPump pump = new OutputPump(in, label, pid, tailBytes, log);
    pump.thread.start();
    return pump;
  }

  @Override
  public void run() {
    byte[] chunk = new byte[8192];
    try (in) {
      for (int n; (n = in.read(chunk)) != -1; ) {
        tail.append(chunk, 0, n);
        splitLines(chunk, n);
      }
    } catch (IOException e) {
      log.log(Level.FINE, prefix + "stream closed while reading", e);
    } finally {
      if (line.size() > 0) {
        emitLine();
      }
    }
  }

  /** Waits up to {@code millis} for end of stream; true when the pump has finished. */
  public boolean await(long millis) throws InterruptedException {
    thread.join(Math.max(1, millis));
    return !thread.isAlive();
  }

  public String tail() {
    return tail.text();
  }

  private void splitLines(byte[] chunk, int length) {
    int start = 0;
    for (int i = 0; i < length; i++) {
      if (chunk[i] == '\n' || i - start + line.size() >= MAX_LINE) {
        line.write(chunk, start, i - start);
        start = chunk[i] == '\n' ? i + 1 : i;
        emitLine();
      }
    }
    line.write(chunk, start, length - start);
  }

  private void emitLine() {
    String text = line.toString(StandardCharsets.UTF_8);
    line.reset();
    String message = prefix + (text.endsWith("\r") ? text.substring(0, text.length() - 1) : text);
    try {
      log.log(Level.INFO, message);
    } catch (RuntimeException e) {
      // A failing handler must not stop the draining: the script would block on a full pipe.
    }
  }
}
