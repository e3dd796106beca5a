package dev.kpm.install;

import dev.kpm.plugin.HomeLayout;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.logging.Logger;

/**
 * What the install pipeline needs besides the registry: the home layout, the downloader, the
 * archive caps, the install.sh timeout, the executor installs run on, and how to stop the server.
 */
public record InstallTools(
    HomeLayout home,
    Downloader downloader,
    ArchiveLimits limits,
    Duration scriptTimeout,
    ExecutorService executor,
    ServerControl server) {
  static final int SCRIPT_TAIL_BYTES = 64 * 1024;

  /** The logger that install.sh output of a plugin goes to, named after the plugin. */
  static Logger scriptLog(String type, String name) {
    return Logger.getLogger("dev.kpm.plugin." + type + "." + name);
  }
}
