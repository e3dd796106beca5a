package dev.kpm.process;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Outcome of one script run: exit code (-1 when killed), the last bytes of stdout and of stderr
 * (UTF-8, decoded leniently; a multi-byte character cut at the start is dropped), the wall
 * duration, whether the timeout killed it, and the timeout it ran under.
 */
public record ScriptResult(
    int exitCode,
    String stdoutTail,
    String stderrTail,
    Duration duration,
    boolean timedOut,
    Duration timeout) {

  public boolean succeeded() {
    return exitCode == 0 && !timedOut;
  }

  /**
   * eKuiper's wording of a failure, {@code exit status <n>}; for a timeout a sentence naming the
   * timeout in Go's duration notation.
   *
   * @throws IllegalStateException when the run succeeded: there is no failure to describe
   */
  public String failure() {
    if (timedOut) {
      return "install.sh did not finish within "
          + goDuration(timeout)
          + "; its process tree was killed";
    }
    if (exitCode == 0) {
      throw new IllegalStateException("the script succeeded");
    }
    return "exit status " + exitCode;
  }

  /** Formats like Go's {@code time.Duration.String()}: 5m0s, 1m30s, 1.5s, 250ms, 1h0m0s. */
  static String goDuration(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.compareTo(Duration.ofSeconds(1)) < 0) {
      return plain(BigDecimal.valueOf(d.toNanos(), 6)) + "ms";
    }
    String seconds =
        plain(BigDecimal.valueOf(d.toSecondsPart()).add(BigDecimal.valueOf(d.toNanosPart(), 9)))
            + "s";
    if (d.toHours() > 0) {
      return d.toHours() + "h" + d.toMinutesPart() + "m" + seconds;
    }
    return d.toMinutesPart() > 0 ? d.toMinutesPart() + "m" + seconds : seconds;
  }

  private static String plain(BigDecimal value) {
    return value.stripTrailingZeros().toPlainString();
  }
}
