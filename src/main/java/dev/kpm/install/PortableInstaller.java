package dev.kpm.install;

import dev.kpm.audit.Act;
import dev.kpm.install.archive.ArchiveEntry;
import dev.kpm.install.archive.ArchiveException;
import dev.kpm.install.archive.SafeZip;
import dev.kpm.install.layout.InstallRequest;
import dev.kpm.install.layout.PortableArchive;
import dev.kpm.install.layout.PortableJson;
import dev.kpm.install.staging.Staging;
import dev.kpm.persistence.CommitOutcomeUnknownException;
import dev.kpm.persistence.DatabaseUnavailableException;
import dev.kpm.plugin.InstallOperation;
import dev.kpm.plugin.InstallRecords;
import dev.kpm.plugin.InstalledPlugin;
import dev.kpm.plugin.NewPlugin;
import dev.kpm.plugin.PluginException;
import dev.kpm.plugin.PluginOrigin;
import dev.kpm.plugin.PluginStore;
import dev.kpm.plugin.PluginType;
import dev.kpm.plugin.PortableSpec;
import dev.kpm.portable.PortablePlugin;
import dev.kpm.portable.PortableStartException;
import dev.kpm.portable.PortableSupervisor;
import dev.kpm.process.ScriptRunner;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Creates and updates portable plugins: stage and check the zip (docs/api.md §6), run install.sh,
 * move the files into place, start the process — an update starts the new one on the kept control
 * channel, so started symbols continue — and only then commit. Any failure, a failed first start
 * included, leaves the files, the registry and the running version as they were (docs/api.md §9.3,
 * §9.6). The caller holds the plugin's lock.
 */
final class PortableInstaller {
  static final String PREFIX_CREATE = "portable plugin create command error: ";
  private final InstallTools tools;
  private final PluginStore store;
  private final InstallRecords records;
  private final PortableSupervisor supervisor;

  PortableInstaller(
      InstallTools tools,
      PluginStore store,
      InstallRecords records,
      PortableSupervisor supervisor) {
    this.tools = tools;
    this.store = store;
    this.records = records;
    this.supervisor = supervisor;
  }

  String create(InstallRequest req, Act act) {
    URI uri = Checks.uri(req.file(), PREFIX_CREATE);
    if (store.exists(PluginType.PORTABLES, req.name())) {
      throw PluginException.invalid(PREFIX_CREATE + "invalid name " + req.name() + ": duplicate");
    }
    install(req, uri, PREFIX_CREATE, Optional.empty(), act);
    return "portable plugin " + req.name() + " is created";
  }

  String update(InstallRequest req, InstalledPlugin old, PortableSpec oldSpec, Act act) {
    act.versionBefore(old.version());
    String prefix = "portable plugin update command error: ";
    install(req, Checks.uri(req.file(), prefix), prefix, Optional.of(new Old(old, oldSpec)), act);
    return "portable plugin " + req.name() + " is updated";
  }

  private record Old(InstalledPlugin plugin, PortableSpec spec) {}

  /** What {@link #create} would do; nothing changes, no process starts (docs/api.md §8.9). */
  DryRun planCreate(InstallRequest req, Act act) {
    URI uri = Checks.uri(req.file(), PREFIX_CREATE);
    if (store.exists(PluginType.PORTABLES, req.name())) {
      throw PluginException.invalid(PREFIX_CREATE + "invalid name " + req.name() + ": duplicate");
    }
    return plan(req, uri, PREFIX_CREATE, Optional.empty(), act);
  }

  /** What {@link #update} would do; nothing changes, the running process stays. */
  DryRun planUpdate(InstallRequest req, InstalledPlugin old, Act act) {
    String prefix = "portable plugin update command error: ";
    return plan(req, Checks.uri(req.file(), prefix), prefix, Optional.of(old), act);
  }

  private DryRun plan(
      InstallRequest req, URI uri, String prefix, Optional<InstalledPlugin> old, Act act) {
    InstallOperation op = old.isPresent() ? InstallOperation.UPDATE : InstallOperation.CREATE;
    List<String> oldSymbols =
        old.isPresent() ? DryRun.symbolsOf(store.portables().get(req.name())) : List.of();
    DryRun[] result = new DryRun[1];
    Attempt.run(
        tools,
        records,
        new Attempt.Spec(PluginType.PORTABLES, req, uri, op, prefix, act, true),
        a -> {
          PortableSpec spec = prepare(req, a, prefix + "fail to install plugin: ");
          NewPlugin plugin = plugin(req, spec, a);
          List<String> oldFiles = old.map(InstalledPlugin::files).orElse(List.of());
          List<List<String>> moves =
              DryRun.classify(tools.home().base(), Staging.manifest(plugin.files(), oldFiles));
          result[0] =
              new DryRun(
                  true,
                  old.isPresent() ? "update" : "create",
                  PluginType.PORTABLES.word(),
                  req.name(),
                  a.download.sha256(),
                  a.download.bytes(),
                  old.map(InstalledPlugin::version).orElse(null),
                  plugin.version(),
                  moves.get(0),
                  moves.get(1),
                  moves.get(2),
                  DryRun.minus(DryRun.symbolsOf(spec), oldSymbols),
                  DryRun.minus(oldSymbols, DryRun.symbolsOf(spec)),
                  a.scriptSkipped,
                  false,
                  old.isPresent()
                      ? "the running process would be replaced by one of "
                          + spec.executable()
                          + "; started symbols would continue on it"
                      : "a process of " + spec.executable() + " would start",
                  null,
                  DryRun.NOTE);
        });
    return result[0];
  }

  private void install(InstallRequest req, URI uri, String prefix, Optional<Old> old, Act act) {
    InstallOperation op = old.isPresent() ? InstallOperation.UPDATE : InstallOperation.CREATE;
    Attempt.run(
        tools,
        records,
        new Attempt.Spec(PluginType.PORTABLES, req, uri, op, prefix, act),
        a -> commit(req, prepare(req, a, prefix + "fail to install plugin: "), old, a, prefix));
  }

  private PortableSpec prepare(InstallRequest req, Attempt a, String fail) {
    PortableArchive archive = new PortableArchive(req.name());
    String folder = "plugins/portable/" + req.name() + "/";
    return Checks.archive(
        fail,
        () -> {
          a.phase(LiveJob.EXTRACTING);
          List<ArchiveEntry> entries = extract(archive, a);
          tools.pauses().at("extracted", req.name());
          PortableSpec spec =
              PortableJson.parse(
                  req.name(), Files.readAllBytes(a.staging.staged(folder + req.name() + ".json")));
          archive.requireFiles(entries, spec);
          makeOwnerExecutable(a.staging.staged(folder + spec.executable()));
          if (entries.stream().anyMatch(archive::isInstallScript) && a.dry) {
            a.scriptSkipped = true;
          } else if (entries.stream().anyMatch(archive::isInstallScript)) {
            a.phase(LiveJob.SCRIPT);
            runScript(req, a, a.staging.staged(folder));
          }
          return spec;
        });
  }

  /** Checks the zip and extracts it into the staging folder, reading its directory once. */
  private List<ArchiveEntry> extract(PortableArchive archive, Attempt a)
      throws ArchiveException, IOException {
    try (SafeZip.Archive zip = SafeZip.open(a.zip(), tools.limits())) {
      List<ArchiveEntry> entries = zip.entries();
      archive.requireJson(entries);
      zip.extract(
          e -> archive.targets(e).stream().map(a.staging::staged).toList(),
          List.of(a.staging.root()));
      return entries;
    }
  }

  /**
   * docs/api.md §9.8: the declared executable gets its owner execute bit, nothing else is widened.
   */
  private static void makeOwnerExecutable(Path exe) throws IOException {
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(exe);
    perms.add(PosixFilePermission.OWNER_EXECUTE);
    Files.setPosixFilePermissions(exe, perms);
  }

  private void runScript(InstallRequest req, Attempt a, Path pluginFolder)
      throws IOException, InterruptedException, ArchiveException {
    a.script =
        ScriptRunner.run(
            pluginFolder.resolve("install.sh"),
            req.shellParas(),
            pluginFolder,
            tools.scriptTimeout(),
            InstallTools.SCRIPT_TAIL_BYTES,
            JobBoard.scriptLog(InstallTools.scriptLog("portables", req.name())),
            tools.children());
    if (!a.script.succeeded()) {
      throw new ArchiveException(
          "err:"
              + a.script.failure()
              + " stdout:"
              + a.script.stdoutTail()
              + " stderr:"
              + a.script.stderrTail());
    }
  }

  private void commit(
      InstallRequest req, PortableSpec spec, Optional<Old> old, Attempt a, String prefix) {
    a.phase(LiveJob.COMMITTING);
    try {
      a.storeArtifact();
    } catch (PluginException e) {
      throw PluginException.invalid(prefix + e.getMessage());
    }
    NewPlugin plugin = plugin(req, spec, a);
    List<String> manifest =
        Staging.manifest(plugin.files(), old.map(o -> o.plugin().files()).orElse(List.of()));
    a.plan(manifest);
    try {
      a.staging.apply(manifest);
      tools.pauses().at("moved", req.name());
      a.phase(LiveJob.STARTING);
      supervisor.start(running(req.name(), spec));
      tools.pauses().at("started", req.name());
      if (old.isPresent()) {
        store.replacePortable(plugin, spec, a.recordId, a.log(), a.act());
      } else {
        store.registerPortable(plugin, spec, PluginOrigin.API, a.recordId, a.log(), a.act());
      }
    } catch (CommitOutcomeUnknownException e) {
      // The new process runs on; if the commit did not happen, the old version comes back.
      a.inDoubt(() -> rollBackProcess(req.name(), old));
      throw e;
    } catch (IOException | PortableStartException | RuntimeException e) {
      abandon(a, req.name(), manifest, e, () -> rollBackProcess(req.name(), old));
      if (e instanceof DatabaseUnavailableException dbDown) {
        throw dbDown;
      }
      throw e instanceof PluginException pe
          ? PluginException.invalid(prefix + pe.getMessage())
          : PluginException.invalid(prefix + "fail to install plugin: " + e.getMessage());
    }
  }

  /**
   * Applies the fleet's desired state of a portable plugin to this node's home: the archive from
   * the database, the same checks, install.sh, moves and process start as an install, then this
   * node's applied state committed with the attempt's record. {@code mine}: the files this node
   * holds of an earlier version, whose process runs again if this one fails. The caller holds the
   * plugin's lock.
   */
  void apply(
      InstallRequest req,
      List<String> mine,
      Attempt.Fleet fleet,
      Act act,
      FleetApply.Commit commit) {
    String prefix = "portable plugin " + req.name() + " apply error: ";
    InstallOperation op = mine.isEmpty() ? InstallOperation.CREATE : InstallOperation.UPDATE;
    Attempt.run(
        tools,
        records,
        new Attempt.Spec(PluginType.PORTABLES, req, null, op, prefix, act, false, fleet),
        a -> {
          PortableSpec spec = prepare(req, a, prefix + "fail to install plugin: ");
          String exe = "plugins/portable/" + req.name() + "/" + spec.executable();
          Checks.io(
              () -> {
                Incompatible.requireArch(a.staging.staged(exe), exe, fleet.arch());
                return null;
              });
          NewPlugin plugin = plugin(req, spec, a);
          a.phase(LiveJob.COMMITTING);
          List<String> manifest = Staging.manifest(plugin.files(), mine);
          a.plan(manifest);
          try {
            a.staging.apply(manifest);
            tools.pauses().at("applied", req.name());
            a.phase(LiveJob.STARTING);
            supervisor.start(running(req.name(), spec));
            commit.applied(a.recordId, a.log(), plugin.version(), plugin.files());
          } catch (CommitOutcomeUnknownException e) {
            a.inDoubt(() -> restartFromHome(req.name()));
            throw e;
          } catch (IOException | PortableStartException | RuntimeException e) {
            abandon(a, req.name(), manifest, e, () -> restartFromHome(req.name()));
            if (e instanceof RuntimeException re) {
              throw re;
            }
            throw PluginException.invalid(prefix + "fail to install plugin: " + e.getMessage());
          }
        });
  }

  /**
   * A start or commit that failed after the moves: the output of a process whose start failed is
   * kept for the record, the new process stops, the moves are undone, and {@code rollBack} brings
   * back what ran before.
   */
  private void abandon(
      Attempt a, String name, List<String> manifest, Exception e, Runnable rollBack) {
    if (e instanceof PortableStartException) {
      // What the process printed before it failed explains the failure: keep it in the record.
      a.processOutput(supervisor.output(name));
    }
    supervisor.stop(name);
    Checks.act(() -> a.staging.undo(manifest));
    rollBack.run();
  }

  /** After a failed apply: the version whose files are in the home runs again, if there is one. */
  private void restartFromHome(String name) {
    Path json = tools.home().plugins(PluginType.PORTABLES).resolve(name).resolve(name + ".json");
    if (!Files.isRegularFile(json)) {
      return;
    }
    try {
      restart(name, PortableJson.parse(name, Files.readAllBytes(json)));
    } catch (IOException | ArchiveException e) {
      // nothing runnable is left: the status shows the plugin stopped
    }
  }

  /** The files are the old ones again: the old version runs, or, after a create, nothing. */
  private void rollBackProcess(String name, Optional<Old> old) {
    if (old.isPresent()) {
      restart(name, old.get().spec());
    } else {
      supervisor.stop(name);
    }
  }

  /** After a failed update the old version runs again on the same channels. */
  private void restart(String name, PortableSpec spec) {
    try {
      supervisor.start(running(name, spec));
    } catch (PortableStartException e) {
      // its status shows the error; the old files and row are in place for a later start
    }
  }

  PortablePlugin running(String name, PortableSpec spec) {
    Path folder = tools.home().plugins(PluginType.PORTABLES).resolve(name);
    return new PortablePlugin(
        name,
        spec.language(),
        folder.resolve(spec.executable()).normalize(),
        spec.virtualEnvType(),
        spec.env());
  }

  private NewPlugin plugin(InstallRequest req, PortableSpec spec, Attempt a) {
    return NewPlugin.installed(
        PluginType.PORTABLES,
        req.name(),
        spec.version(),
        req.name(),
        a.source(),
        Optional.empty(),
        Checks.io(a.staging::stagedFiles));
  }
}
