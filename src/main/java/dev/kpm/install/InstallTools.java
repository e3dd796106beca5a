package dev.kpm.install;

import dev.kpm.install.archive.ArchiveLimits;
import dev.kpm.install.download.Downloader;
import dev.kpm.plugin.HomeLayout;
import dev.kpm.process.Children;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.logging.Logger;

/**
 * What the install pipeline needs besides the registry: the home layout, the downloader, the
 * archive caps, the install.sh timeout, the compatibility check against the eKuiper binary, the
 * executor installs run on with the per-plugin locks ({@link Jobs}), the record of child processes,
 * how to stop the server, and where archives are stored for the fleet (none: nowhere). Closing it
 * stops the jobs' background settling.
 */
public record InstallTools(
    HomeLayout home,
    Downloader downloader,
    ArchiveLimits limits,
    Duration scriptTimeout,
    ExecutorService executor,
    ServerControl server,
    Children children,
    Pauses pauses,
    EngineCheck engine,
    Jobs jobs,
    dev.kpm.fleet.ArtifactStore artifacts)
    implements AutoCloseable {
  static final int SCRIPT_TAIL_BYTES = 64 * 1024;

  public static InstallTools of(
      HomeLayout home,
      Downloader downloader,
      ArchiveLimits limits,
      Duration scriptTimeout,
      ExecutorService executor,
      ServerControl server,
      Children children,
      Pauses pauses,
      EngineCheck engine) {
    return new InstallTools(
        home,
        downloader,
        limits,
        scriptTimeout,
        executor,
        server,
        children,
        pauses,
        engine,
        new Jobs(executor),
        null);
  }

  /**
   * These tools, storing every archive an install commits in {@code artifacts} (the fleet's
   * database), content-addressed: what the other nodes install from.
   */
  public InstallTools storingArtifacts(dev.kpm.fleet.ArtifactStore artifacts) {
    return new InstallTools(
        home,
        downloader,
        limits,
        scriptTimeout,
        executor,
        server,
        children,
        pauses,
        engine,
        jobs,
        artifacts);
  }

  @Override
  public void close() {
    jobs.close();
  }

  /** The logger that install.sh output of a plugin goes to, named after the plugin. */
  static Logger scriptLog(String type, String name) {
    return Logger.getLogger("dev.kpm.plugin." + type + "." + name);
  }
}
