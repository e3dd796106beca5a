package dev.kpm.install;

import dev.kpm.audit.Act;
import dev.kpm.install.archive.ArchiveEntry;
import dev.kpm.install.archive.ArchiveException;
import dev.kpm.install.archive.SafeZip;
import dev.kpm.install.download.Download;
import dev.kpm.install.layout.InstallRequest;
import dev.kpm.install.layout.NativeArchive;
import dev.kpm.install.staging.Staging;
import dev.kpm.persistence.CommitOutcomeUnknownException;
import dev.kpm.plugin.InstallOperation;
import dev.kpm.plugin.InstallRecords;
import dev.kpm.plugin.InstalledPlugin;
import dev.kpm.plugin.NewPlugin;
import dev.kpm.plugin.PluginException;
import dev.kpm.plugin.PluginOrigin;
import dev.kpm.plugin.PluginStore;
import dev.kpm.plugin.PluginType;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Creates and updates native plugins: record the attempt, download, check and extract into a
 * private staging folder, run install.sh there, then move the files into place and commit the
 * registry in one transaction. Any failure leaves the home folder and the registry as they were
 * (docs/api.md §9.3, §9.6). The caller holds the plugin's lock.
 */
final class NativeInstaller {
  private final InstallTools tools;
  private final PluginStore store;
  private final InstallRecords records;

  NativeInstaller(InstallTools tools, PluginStore store, InstallRecords records) {
    this.tools = tools;
    this.store = store;
    this.records = records;
  }

  String create(PluginType type, InstallRequest req, Act act) {
    String prefix = type.word() + " plugins create command error: ";
    URI uri = Checks.uri(req.file(), prefix);
    if (store.exists(type, req.name())) {
      throw PluginException.invalid(prefix + "invalid name " + req.name() + ": duplicate");
    }
    install(type, req, uri, prefix, Optional.empty(), act);
    return type.word() + " plugin " + req.name() + " is created";
  }

  String update(PluginType type, String name, InstallRequest req, Act act) {
    InstalledPlugin old = installed(type, name);
    act.versionBefore(old.version());
    String prefix = type.word() + " plugins create command error: ";
    install(type, req, Checks.uri(req.file(), prefix), prefix, Optional.of(old), act);
    return "plugin " + name + " is updated and eKuiper must restart for the change to take effect.";
  }

  private void install(
      PluginType type,
      InstallRequest req,
      URI uri,
      String prefix,
      Optional<InstalledPlugin> old,
      Act act) {
    List<String> symbols = freeSymbols(type, req, prefix);
    InstallOperation op = old.isPresent() ? InstallOperation.UPDATE : InstallOperation.CREATE;
    Attempt.run(
        tools,
        records,
        new Attempt.Spec(type, req, uri, op, prefix, act),
        a -> commit(plugin(type, req, prepare(type, req, old, a, prefix), a), old, a, prefix));
  }

  private String prepare(
      PluginType type,
      InstallRequest req,
      Optional<InstalledPlugin> old,
      Attempt a,
      String prefix) {
    String fail = prefix + "fail to install plugin: ";
    Set<String> replaceable = new HashSet<>(old.map(InstalledPlugin::files).orElse(List.of()));
    NativeArchive archive = new NativeArchive(type, req.name(), tools.home(), replaceable);
    return Checks.archive(
        fail,
        () -> {
          a.phase(LiveJob.EXTRACTING);
          Staged staged;
          if (a.prestaged != null) {
            // Fetched and extracted ahead, while the origin was still at work (FleetPrestage).
            Checks.shellParas(req.shellParas(), a.prestaged.staged().script());
            staged = a.prestaged.staged();
          } else {
            staged = extract(archive, req.shellParas(), a.zip(), a.staging);
          }
          tools.pauses().at("extracted", req.name());
          // Before install.sh: a plugin the engine would not load is refused before anything runs.
          String so = soFile(type, staged.so());
          if (a.fleetArch != null) {
            Incompatible.requireArch(a.staging.staged(so), so, a.fleetArch);
          }
          Path installed = tools.home().base().resolve(so).normalize();
          a.compat =
              a.fleetArch != null
                  ? tools.engine().beforeApply(a.staging.staged(so), installed, a.act())
                  : tools.engine().beforeInstall(a.staging.staged(so), installed, a.act());
          if (staged.script() && a.dry) {
            a.scriptSkipped = true;
          } else if (staged.script()) {
            a.phase(LiveJob.SCRIPT);
            a.script = Scripts.run(type, req, a.staging, tools);
            if (!a.script.succeeded()) {
              throw new ArchiveException(a.script.failure());
            }
          }
          return staged.so();
        });
  }

  /** What extraction staged: the {@code .so} entry, and whether there is an install.sh. */
  record Staged(String so, boolean script) {}

  /**
   * A native plugin's archive fetched from the database and extracted into {@code staging} before
   * the change that stored it committed ({@link FleetPrestage}): valid for an apply of the same
   * digest while this node holds the same files of the plugin and the home's yaml config decision
   * is the same ({@link #fits}), since extraction depended on nothing else.
   */
  record Prestaged(
      PluginType type,
      String name,
      String sha256,
      Staging staging,
      Download download,
      Staged staged,
      Set<String> replaceable,
      boolean keptYaml) {

    /** Whether this staging is what an apply replacing {@code held} would extract now. */
    boolean fits(dev.kpm.plugin.HomeLayout home, List<String> held) {
      Set<String> now = new HashSet<>(held);
      return now.equals(replaceable)
          && new NativeArchive(type, name, home, now).keepsExistingYaml() == keptYaml;
    }
  }

  /**
   * Extracts the archive {@code download} of plugin {@code name} into {@code staging} with the
   * checks of an install, ahead of its commit; {@code replaceable}: the files this node holds of
   * the plugin. Runs no install.sh and changes nothing outside {@code staging}.
   */
  Prestaged prestage(
      PluginType type, String name, Set<String> replaceable, Staging staging, Download download)
      throws ArchiveException, IOException {
    NativeArchive archive = new NativeArchive(type, name, tools.home(), replaceable);
    boolean keptYaml = archive.keepsExistingYaml();
    Staged staged = extract(archive, null, download.file(), staging);
    return new Prestaged(
        type,
        name,
        download.sha256(),
        staging,
        download,
        staged,
        Set.copyOf(replaceable),
        keptYaml);
  }

  /** Where a plugin's {@code .so} goes, relative to the home folder. */
  private static String soFile(PluginType type, String so) {
    return "plugins/" + type.folder() + "/" + so;
  }

  /**
   * Applies the fleet's desired state of a native plugin to this node's home: the archive from the
   * database, the same checks, install.sh and moves as an install, then this node's applied state
   * committed with the attempt's record. {@code mine}: the files this node holds of an earlier
   * version. The desired state itself is not touched. The caller holds the plugin's lock.
   */
  void apply(
      PluginType type,
      InstallRequest req,
      List<String> mine,
      Attempt.Fleet fleet,
      Act act,
      FleetApply.Commit commit) {
    String prefix = type.word() + " plugin " + req.name() + " apply error: ";
    Optional<InstalledPlugin> old =
        mine.isEmpty()
            ? Optional.empty()
            : Optional.of(new InstalledPlugin(type, req.name(), "", "", mine));
    InstallOperation op = old.isPresent() ? InstallOperation.UPDATE : InstallOperation.CREATE;
    Attempt.run(
        tools,
        records,
        new Attempt.Spec(type, req, null, op, prefix, act, false, fleet),
        a -> {
          NewPlugin plugin = plugin(type, req, prepare(type, req, old, a, prefix), a);
          a.phase(LiveJob.COMMITTING);
          List<String> manifest = Staging.manifest(plugin.files(), mine);
          a.plan(manifest);
          try {
            a.staging.apply(manifest);
            tools.pauses().at("applied", plugin.name());
            commit.applied(a.recordId, a.log(), plugin.version(), plugin.files());
          } catch (CommitOutcomeUnknownException e) {
            a.inDoubt(() -> {});
            throw e;
          } catch (IOException | RuntimeException e) {
            Checks.act(() -> a.staging.undo(manifest));
            throw e instanceof RuntimeException re ? re : Checks.unchecked(prefix, e);
          }
        });
  }

  /** What {@link #create} would do; nothing changes (docs/api.md §8.9). */
  DryRun planCreate(PluginType type, InstallRequest req, Act act) {
    String prefix = type.word() + " plugins create command error: ";
    URI uri = Checks.uri(req.file(), prefix);
    if (store.exists(type, req.name())) {
      throw PluginException.invalid(prefix + "invalid name " + req.name() + ": duplicate");
    }
    return plan(type, req, uri, prefix, Optional.empty(), act);
  }

  /** The plugin an update replaces; eKuiper's 404 when there is none. */
  private InstalledPlugin installed(PluginType type, String name) {
    return store
        .find(type, name)
        .orElseThrow(
            () ->
                PluginException.notFound(
                    "update "
                        + type.word()
                        + " plugin "
                        + name
                        + " error, cannot delete old version: invalid name "
                        + name
                        + ": not exist"));
  }

  /** What {@link #update} would do; nothing changes. */
  DryRun planUpdate(PluginType type, String name, InstallRequest req, Act act) {
    InstalledPlugin old = installed(type, name);
    String prefix = type.word() + " plugins create command error: ";
    return plan(type, req, Checks.uri(req.file(), prefix), prefix, Optional.of(old), act);
  }

  private DryRun plan(
      PluginType type,
      InstallRequest req,
      URI uri,
      String prefix,
      Optional<InstalledPlugin> old,
      Act act) {
    List<String> symbols = freeSymbols(type, req, prefix);
    InstallOperation op = old.isPresent() ? InstallOperation.UPDATE : InstallOperation.CREATE;
    DryRun[] result = new DryRun[1];
    Attempt.run(
        tools,
        records,
        new Attempt.Spec(type, req, uri, op, prefix, act, true),
        a -> {
          NewPlugin plugin = plugin(type, req, prepare(type, req, old, a, prefix), a);
          List<String> oldFiles = old.map(InstalledPlugin::files).orElse(List.of());
          List<List<String>> moves =
              DryRun.classify(tools.home().base(), Staging.manifest(plugin.files(), oldFiles));
          List<String> oldSymbols =
              old.isPresent() && type == PluginType.FUNCTIONS
                  ? store.symbolsOf(req.name())
                  : List.of();
          result[0] =
              new DryRun(
                  true,
                  old.isPresent() ? "update" : "create",
                  type.word(),
                  req.name(),
                  a.download.sha256(),
                  a.download.bytes(),
                  old.map(InstalledPlugin::version).orElse(null),
                  plugin.version(),
                  moves.get(0),
                  moves.get(1),
                  moves.get(2),
                  DryRun.minus(symbols, oldSymbols),
                  DryRun.minus(oldSymbols, symbols),
                  a.scriptSkipped,
                  true,
                  null,
                  a.compat
                      .map(
                          f ->
                              CompatReport.Plugin.of(
                                      type.word(),
                                      req.name(),
                                      plugin.version(),
                                      soFile(type, plugin.artifact()),
                                      tools
                                          .home()
                                          .base()
                                          .resolve(soFile(type, plugin.artifact()))
                                          .toString(),
                                      f,
                                      null)
                                  .brief())
                      .orElse(null),
                  DryRun.NOTE);
        });
    return result[0];
  }

  /**
   * Checks the zip and extracts it into the staging folder, reading its directory once; {@code
   * shellParas}, unless null (staged ahead, checked at the apply), must suit the archive.
   */
  private Staged extract(NativeArchive archive, List<String> shellParas, Path file, Staging staging)
      throws ArchiveException, IOException {
    try (SafeZip.Archive zip = SafeZip.open(file, tools.limits())) {
      List<ArchiveEntry> entries = zip.entries();
      boolean script = Checks.hasInstallScript(entries);
      if (shellParas != null) {
        Checks.shellParas(shellParas, script);
      }
      String so = archive.requireComplete(entries);
      zip.extract(
          e -> Checks.destinations(archive.target(e), staging, script), List.of(staging.root()));
      return new Staged(so, script);
    }
  }

  private NewPlugin plugin(PluginType type, InstallRequest req, String so, Attempt a) {
    List<String> files = Checks.io(a.staging::stagedFiles);
    return NewPlugin.installed(
        type,
        req.name(),
        NativeArchive.version(so),
        so,
        a.source(),
        type == PluginType.FUNCTIONS ? req.functions() : Optional.empty(),
        files);
  }

  private void commit(NewPlugin plugin, Optional<InstalledPlugin> old, Attempt a, String prefix) {
    a.phase(LiveJob.COMMITTING);
    try {
      a.storeArtifact();
    } catch (PluginException e) {
      throw PluginException.invalid(prefix + e.getMessage());
    }
    List<String> manifest =
        Staging.manifest(plugin.files(), old.map(InstalledPlugin::files).orElse(List.of()));
    a.plan(manifest);
    try {
      a.staging.apply(manifest);
      tools.pauses().at("moved", plugin.name());
      if (old.isPresent()) {
        store.replace(plugin, a.recordId, a.log(), a.act());
      } else {
        store.register(plugin, PluginOrigin.API, a.recordId, a.log(), a.act());
      }
    } catch (CommitOutcomeUnknownException e) {
      a.inDoubt(() -> {});
      throw e;
    } catch (IOException | RuntimeException e) {
      Checks.act(() -> a.staging.undo(manifest));
      throw e instanceof PluginException pe
          ? PluginException.invalid(prefix + pe.getMessage())
          : Checks.unchecked(prefix, e);
    }
  }

  /** The functions the plugin registers, refused when another plugin has one of them. */
  private List<String> freeSymbols(PluginType type, InstallRequest req, String prefix) {
    List<String> symbols = symbols(type, req);
    store
        .firstConflict(symbols, req.name())
        .ifPresent(
            fn -> {
              throw PluginException.invalid(prefix + "function name " + fn + " already exists");
            });
    return symbols;
  }

  private static List<String> symbols(PluginType type, InstallRequest req) {
    if (type != PluginType.FUNCTIONS) {
      return List.of();
    }
    return req.functions().orElse(List.of(req.name()));
  }
}
