package dev.kpm.plugin;

import java.time.Instant;

/** One install attempt as the install-log endpoint shows it. */
public record InstallRecordView(
    long id,
    InstallOperation operation,
    InstallState state,
    Instant startedAt,
    Long durationMs,
    Long bytes,
    String sha256,
    Integer exitCode,
    String error,
    String stdout,
    String stderr) {

  static InstallRecordView from(InstallRecord r) {
    return new InstallRecordView(
        r.id(),
        r.operation(),
        r.state(),
        r.startedAt(),
        r.durationMs(),
        r.bytes(),
        r.sha256(),
        r.exitCode(),
        r.error(),
        r.stdoutTail(),
        r.stderrTail());
  }
}
