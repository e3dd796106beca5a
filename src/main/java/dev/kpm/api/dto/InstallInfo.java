package dev.kpm.api.dto;

import dev.kpm.plugin.InstallRecordView;

/** One install attempt of the install log (kpm extension). */
public record InstallInfo(
    long id,
    String operation,
    String state,
    String startedAt,
    Long durationMs,
    Long bytes,
    String sha256,
    Integer exitCode,
    String error,
    String stdout,
    String stderr) {

  public static InstallInfo from(InstallRecordView v) {
    return new InstallInfo(
        v.id(),
        v.operation().name(),
        v.state().name(),
        v.startedAt().toString(),
        v.durationMs(),
        v.bytes(),
        v.sha256(),
        v.exitCode(),
        v.error(),
        v.stdout(),
        v.stderr());
  }
}
