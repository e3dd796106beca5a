package dev.kpm.install;

import dev.kpm.install.layout.InstallRequest;
import dev.kpm.install.staging.Staging;
import dev.kpm.plugin.PluginType;
import dev.kpm.process.ScriptResult;
import dev.kpm.process.ScriptRunner;
import java.io.IOException;

/** Runs a plugin's install.sh the way eKuiper does, with kpm's timeout and log capture. */
final class Scripts {
  private Scripts() {}

  /** {@code /bin/sh <staging>/scratch/install.sh <shellParas…>} in the scratch folder. */
  static ScriptResult run(PluginType type, InstallRequest req, Staging staging, InstallTools tools)
      throws IOException, InterruptedException {
    return ScriptRunner.run(
        staging.scratch().resolve("install.sh"),
        req.shellParas(),
        staging.scratch(),
        tools.scriptTimeout(),
        InstallTools.SCRIPT_TAIL_BYTES,
        JobBoard.scriptLog(InstallTools.scriptLog(type.word(), req.name())),
        tools.children());
  }
}
