package dev.kpm.install;

import dev.kpm.plugin.InstallLog;
import java.nio.file.Path;

/** What one install attempt has gathered so far: its record, staging, download and script log. */
final class Attempt {
  final long recordId;
  final Staging staging;
  Download download;
  ScriptResult script;

  Attempt(long recordId, Staging staging) {
    this.recordId = recordId;
    this.staging = staging;
  }

  Path zip() {
    return download.file();
  }

  InstallLog log() {
    return new InstallLog(
        download == null ? null : download.bytes(),
        download == null ? null : download.sha256(),
        script == null ? null : script.exitCode(),
        script == null ? null : script.stdoutTail(),
        script == null ? null : script.stderrTail());
  }
}
