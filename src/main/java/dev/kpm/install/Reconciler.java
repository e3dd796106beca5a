package dev.kpm.install;

import dev.kpm.audit.Act;
import dev.kpm.audit.AuditAction;
import dev.kpm.audit.AuditTrail;
import dev.kpm.install.archive.ArchiveException;
import dev.kpm.install.layout.NativeArchive;
import dev.kpm.install.layout.PortableJson;
import dev.kpm.install.staging.Staging;
import dev.kpm.plugin.HomeLayout;
import dev.kpm.plugin.Ids;
import dev.kpm.plugin.InstallLog;
import dev.kpm.plugin.InstallOperation;
import dev.kpm.plugin.InstallRecords;
import dev.kpm.plugin.InstalledPlugin;
import dev.kpm.plugin.NewPlugin;
import dev.kpm.plugin.PluginException;
import dev.kpm.plugin.PluginOrigin;
import dev.kpm.plugin.PluginStore;
import dev.kpm.plugin.PluginType;
import dev.kpm.plugin.PortableSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Brings the home folder and the registry back in line at start-up, before kpm serves: installs a
 * crash interrupted are rolled back (the whole plugin or nothing), drops it interrupted are
 * finished, stale staging folders removed, and {@code .so} files found without a row are registered
 * as eKuiper's auto-load does — recorded as such (docs/api.md §9.9).
 */
public final class Reconciler {
  private static final Logger LOG = Logger.getLogger(Reconciler.class.getName());
  private static final int LOGGED_NAMES = 10;
  private final HomeLayout home;
  private final PluginStore store;
  private final InstallRecords records;
  private final AuditTrail audit;

  /**
   * Plugins this node holds because the fleet's desired state had them (its {@code node_plugin}
   * rows): never auto-loaded. Their row may be gone because another node dropped them meanwhile;
   * convergence removes them, an auto-load would bring them back fleet-wide.
   */
  private final java.util.function.BiPredicate<PluginType, String> fleetOwned;

  public Reconciler(HomeLayout home, PluginStore store, InstallRecords records, AuditTrail audit) {
    this(home, store, records, audit, (type, name) -> false);
  }

  public Reconciler(
      HomeLayout home,
      PluginStore store,
      InstallRecords records,
      AuditTrail audit,
      java.util.function.BiPredicate<PluginType, String> fleetOwned) {
    this.fleetOwned = fleetOwned;
    this.audit = audit;
    this.home = home;
    this.store = store;
    this.records = records;
  }

  /** One start-up step. */
  private record Step(String name, Checks.IoAction action) {}

  /** Runs the start-up steps in order; each one logs what it changed. */
  public void run() throws IOException {
    List<Step> steps =
        List.of(
            new Step("roll back interrupted installs", this::rollBackInterruptedInstalls),
            new Step("clear staging", this::clearStaging),
            new Step("finish interrupted drops", this::finishInterruptedDrops),
            new Step("auto-load native plugins", this::autoLoadNative),
            new Step("auto-load portable plugins", this::autoLoadPortables));
    for (Step step : steps) {
      long started = System.nanoTime();
      step.action().run();
      LOG.fine(() -> step.name() + ": " + (System.nanoTime() - started) / 1_000_000 + " ms");
    }
  }

  private void rollBackInterruptedInstalls() throws IOException {
    for (InstallRecords.Running r : records.running()) {
      if (!Files.isDirectory(r.staging())) {
        // Without its staging folder (its backups) there is nothing to restore from: the files
        // stay, and a .so among them is auto-loaded below.
        records.abort(r.id(), "kpm stopped during the install; its staging folder was gone");
        reconciled(
            r.type(),
            r.name(),
            "kpm stopped during the install; its staging folder was gone, so its files stay as they are");
        LOG.warning(() -> "cannot roll back " + r.type() + " " + r.name() + ": no staging folder");
        continue;
      }
      new Staging(r.staging(), home.base()).undo(r.manifest());
      records.abort(r.id(), "kpm stopped during the install; rolled back at start-up");
      reconciled(
          r.type(),
          r.name(),
          "rolled back the "
              + r.operation().name().toLowerCase(java.util.Locale.ROOT)
              + " a stop of kpm interrupted");
      LOG.warning(() -> "rolled back the interrupted install of " + r.type() + " " + r.name());
    }
  }

  /** Records what the start-up reconcile did to a plugin, as kpm's own action. */
  private void reconciled(PluginType type, String name, String what) {
    audit.record(
        Act.system(AuditAction.PLUGIN_RECONCILE)
            .plugin(type.word(), name)
            .detail(what)
            .succeeded());
  }

  private void finishInterruptedDrops() throws IOException {
    for (InstalledPlugin p : store.ownDeleting()) {
      new PluginRemover(home, store, Pauses.NONE).finish(p);
      reconciled(p.type(), p.name(), "finished the delete a stop of kpm interrupted");
      LOG.warning(() -> "finished the interrupted drop of " + p.type() + " " + p.name());
    }
  }

  private void autoLoadNative() throws IOException {
    for (PluginType type : List.of(PluginType.SOURCES, PluginType.SINKS, PluginType.FUNCTIONS)) {
      autoLoad(type);
    }
  }

  private void autoLoadPortables() throws IOException {
    try (Stream<Path> folders = Files.list(home.plugins(PluginType.PORTABLES))) {
      folders.filter(Files::isDirectory).sorted().forEach(this::autoLoadPortable);
    }
  }

  /**
   * eKuiper registers every folder of {@code plugins/portable/} at start (docs/api.md §6.4): a
   * folder without a row, holding a valid {@code <name>.json} and its executable, is registered as
   * auto-loaded; its processes start with the others.
   */
  private void autoLoadPortable(Path folder) {
    String name = folder.getFileName().toString();
    if (!isValidId(name)
        || store.exists(PluginType.PORTABLES, name)
        || fleetOwned.test(PluginType.PORTABLES, name)) {
      return;
    }
    PortableSpec spec;
    try {
      spec = PortableJson.parse(name, Files.readAllBytes(folder.resolve(name + ".json")));
      if (!Files.isRegularFile(folder.resolve(spec.executable()))) {
        throw new ArchiveException("missing " + spec.executable());
      }
    } catch (IOException | ArchiveException e) {
      LOG.warning(() -> "not auto-loading portable plugin " + name + ": " + e.getMessage());
      return;
    }
    NewPlugin plugin =
        NewPlugin.autoLoaded(
            PluginType.PORTABLES, name, spec.version(), name, portableFiles(folder, spec));
    long id =
        records.begin(PluginType.PORTABLES, name, InstallOperation.AUTOLOAD, null, home.staging());
    store.registerPortable(
        plugin,
        spec,
        PluginOrigin.AUTOLOAD,
        id,
        InstallLog.EMPTY,
        Act.system(AuditAction.PLUGIN_AUTOLOAD)
            .detail("found on disk at start-up: plugins/portable/" + name));
    LOG.info(() -> "auto-loaded portable plugin " + name + " from plugins/portable/" + name);
  }

  /** The folder's files and the symbol configs of its sources, sinks and functions, as present. */
  private List<String> portableFiles(Path folder, PortableSpec spec) {
    List<String> files = new java.util.ArrayList<>();
    try (Stream<Path> walk = Files.walk(folder)) {
      walk.filter(Files::isRegularFile)
          .forEach(f -> files.add(home.base().relativize(f).toString().replace('\\', '/')));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    symbolConfigs("sources", spec.sources(), files);
    symbolConfigs("sinks", spec.sinks(), files);
    symbolConfigs("functions", spec.functions(), files);
    return files;
  }

  private void symbolConfigs(String kind, List<String> symbols, List<String> files) {
    if (symbols == null) {
      return;
    }
    for (String s : symbols) {
      for (String rel :
          List.of("etc/", "data/").stream()
              .flatMap(dir -> Stream.of(".yaml", ".json").map(ext -> dir + kind + "/" + s + ext))
              .toList()) {
        if (Files.isRegularFile(home.base().resolve(rel))) {
          files.add(rel);
        }
      }
    }
  }

  private void clearStaging() throws IOException {
    try (Stream<Path> leftovers = Files.list(home.staging())) {
      leftovers.forEach(Staging::deleteTree);
    }
  }

  /**
   * Registers the {@code .so} files of {@code type} without a row. One query finds the rows and one
   * the taken function names, whatever the number of files; the plugins are then registered in a
   * few transactions.
   */
  private void autoLoad(PluginType type) throws IOException {
    Set<String> known = store.names(type);
    List<NewPlugin> found = new ArrayList<>();
    soFilesByName(type)
        .forEach(
            (name, file) -> {
              if (isValidId(name) && !known.contains(name) && !fleetOwned.test(type, name)) {
                found.add(plugin(type, name, file));
              }
            });
    List<NewPlugin> plugins = withFreeSymbols(found);
    store.autoLoad(plugins, home.staging());
    logLoaded(type, plugins);
  }

  /** One line per type, naming the first plugins; each plugin has its record in the install log. */
  private static void logLoaded(PluginType type, List<NewPlugin> plugins) {
    if (plugins.isEmpty()) {
      return;
    }
    List<String> names = plugins.stream().limit(LOGGED_NAMES).map(NewPlugin::name).toList();
    String more =
        plugins.size() > LOGGED_NAMES ? " and " + (plugins.size() - LOGGED_NAMES) + " more" : "";
    LOG.info(
        () ->
            "auto-loaded "
                + plugins.size()
                + " "
                + type
                + " plugin(s) from plugins/"
                + type
                + "/: "
                + String.join(", ", names)
                + more);
  }

  /** The last {@code .so} file (by name) of each plugin name found in {@code plugins/<type>/}. */
  private TreeMap<String, String> soFilesByName(PluginType type) throws IOException {
    TreeMap<String, String> lastFileByName = new TreeMap<>();
    try (Stream<Path> files = Files.list(home.plugins(type))) {
      files
          .map(p -> p.getFileName().toString())
          .filter(f -> f.endsWith(".so") && Files.isRegularFile(home.plugins(type).resolve(f)))
          .sorted()
          .forEach(f -> lastFileByName.put(NativeArchive.pluginName(f), f));
    }
    return lastFileByName;
  }

  private NewPlugin plugin(PluginType type, String name, String file) {
    return NewPlugin.autoLoaded(
        type, name, NativeArchive.version(file), file, ownedFiles(type, name, file));
  }

  /** An auto-loaded function plugin exports its own name, unless another plugin owns it. */
  private List<NewPlugin> withFreeSymbols(List<NewPlugin> plugins) {
    Set<String> taken =
        store.symbolsTaken(plugins.stream().flatMap(p -> p.symbols().stream()).toList());
    return plugins.stream()
        .map(p -> p.symbols().stream().anyMatch(taken::contains) ? withoutSymbols(p) : p)
        .toList();
  }

  private static NewPlugin withoutSymbols(NewPlugin p) {
    LOG.warning(() -> "auto-loaded function plugin " + p.name() + " exports no function: taken");
    return p.withoutFunctions();
  }

  /** The {@code .so} and the files eKuiper's drop would remove for this plugin, as present. */
  private List<String> ownedFiles(PluginType type, String name, String file) {
    Stream<String> config =
        Stream.of("etc/", "data/")
            .flatMap(
                dir ->
                    Stream.of(".yaml", ".json").map(ext -> dir + type.folder() + "/" + name + ext));
    return Stream.concat(Stream.of("plugins/" + type.folder() + "/" + file), config)
        .filter(rel -> Files.isRegularFile(home.base().resolve(rel)))
        .toList();
  }

  private static boolean isValidId(String name) {
    try {
      Ids.validate(name);
      return true;
    } catch (PluginException e) {
      LOG.warning(() -> "not auto-loading " + name + ": " + e.getMessage());
      return false;
    }
  }
}
