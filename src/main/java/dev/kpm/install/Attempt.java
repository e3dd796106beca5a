package dev.kpm.install;

import dev.kpm.plugin.InstallLog;
import dev.kpm.plugin.InstallOperation;
import dev.kpm.plugin.InstallRecords;
import dev.kpm.plugin.PluginType;
import java.net.URI;
import java.nio.file.Path;
import java.util.UUID;
import java.util.function.Consumer;

/** What one install attempt has gathered so far: its record, staging, download and script log. */
final class Attempt {
  final long recordId;
  final Staging staging;
  Download download;
  ScriptResult script;

  private Attempt(long recordId, Staging staging) {
    this.recordId = recordId;
    this.staging = staging;
  }

  /**
   * One install attempt of either kind: records it, gives it a fresh staging folder, downloads into
   * it, runs {@code work}, records a failure with what was gathered, and always removes the staging
   * folder.
   */
  static void run(
      InstallTools tools,
      InstallRecords records,
      PluginType type,
      InstallRequest req,
      URI uri,
      InstallOperation op,
      String prefix,
      Consumer<Attempt> work) {
    Path root = tools.home().staging().resolve(UUID.randomUUID().toString());
    Staging staging = Checks.io(() -> Staging.create(root, tools.home().base()));
    Attempt a = new Attempt(records.begin(type, req.name(), op, req.file(), root), staging);
    try {
      a.download = Checks.download(tools.downloader(), uri, req, staging, prefix);
      work.accept(a);
    } catch (RuntimeException e) {
      records.fail(a.recordId, e.getMessage(), a.log());
      throw e;
    } finally {
      staging.delete();
    }
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
