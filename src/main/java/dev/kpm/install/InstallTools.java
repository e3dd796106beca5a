package dev.kpm.install;

import dev.kpm.install.archive.ArchiveLimits;
import dev.kpm.install.download.Downloader;
import dev.kpm.plugin.HomeLayout;
import dev.kpm.process.Children;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * What the install pipeline needs besides the registry: the home layout, the downloader, the
 * archive caps, the install.sh timeout, the compatibility check against the eKuiper binary, the
 * executor installs run on with the per-plugin locks ({@link Jobs}), the record of child processes,
 * how to stop the server, where archives are stored for the fleet (none: nowhere) and whether other
 * live nodes would stage a large one ahead. Closing it stops the jobs' background settling.
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
    dev.kpm.fleet.ArtifactStore artifacts,
    BooleanSupplier othersLive)
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
        null,
        () -> false);
  }

  /**
   * These tools, storing every archive an install commits in {@code artifacts} (the fleet's
   * database), content-addressed: what the other nodes install from. {@code othersLive} says
   * whether another node is live now (then a large native archive is stored before it is extracted,
   * so that node stages it ahead meanwhile).
   */
  public InstallTools storingArtifacts(
      dev.kpm.fleet.ArtifactStore artifacts, BooleanSupplier othersLive) {
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
        artifacts,
        othersLive);
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
