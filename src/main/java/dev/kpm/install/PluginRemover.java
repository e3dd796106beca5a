package dev.kpm.install;

import dev.kpm.audit.Act;
import dev.kpm.install.staging.Durability;
import dev.kpm.install.staging.Prune;
import dev.kpm.persistence.CommitOutcomeUnknownException;
import dev.kpm.persistence.DatabaseUnavailableException;
import dev.kpm.plugin.HomeLayout;
import dev.kpm.plugin.InstalledPlugin;
import dev.kpm.plugin.PluginStore;
import dev.kpm.plugin.PluginType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Drops a plugin: the row is marked DELETING (the name disappears at once, docs/api.md §9.1), the
 * files the plugin installed are removed — etc and data copies alike (docs/api.md §9.4), nothing it
 * did not install — then the row goes with its symbols. A crash in between is finished at the next
 * start. The caller holds the plugin's lock.
 */
final class PluginRemover {
  private final HomeLayout home;
  private final PluginStore store;
  private final Pauses pauses;

  PluginRemover(HomeLayout home, PluginStore store, Pauses pauses) {
    this.home = home;
    this.store = store;
    this.pauses = pauses;
  }

  /**
   * Drops a plugin: marks it DELETING, runs {@code beforeFiles} (stop its process), removes its
   * files and then its row. When the database fails on the way, the drop is finished once it
   * answers again (if it was decided) through {@link Jobs#settleLater}, and the outage is rethrown.
   *
   * @return the dropped plugin, empty if there was no such installed plugin
   */
  Optional<InstalledPlugin> drop(
      Jobs jobs, PluginType type, String name, Runnable beforeFiles, Act act) {
    Optional<InstalledPlugin> plugin;
    try {
      plugin = store.markDeleting(type, name, act);
    } catch (CommitOutcomeUnknownException e) {
      jobs.settleLater(type, name, () -> finishIfDeleting(type, name, beforeFiles));
      throw e;
    }
    if (plugin.isEmpty()) {
      return plugin;
    }
    beforeFiles.run();
    try {
      Checks.act(() -> finish(plugin.get()));
    } catch (DatabaseUnavailableException e) {
      jobs.settleLater(type, name, () -> finishIfDeleting(type, name, () -> {}));
      throw e;
    }
    return plugin;
  }

  /** What a drop of {@code plugin} would do (docs/api.md §8.9): its files go, nothing else. */
  static DryRun plan(
      HomeLayout home,
      InstalledPlugin plugin,
      List<String> symbols,
      boolean restartNeeded,
      String process) {
    List<String> removed =
        plugin.files().stream()
            .filter(rel -> Files.exists(home.base().resolve(rel).normalize()))
            .toList();
    return new DryRun(
        true,
        "delete",
        plugin.type().word(),
        plugin.name(),
        null,
        null,
        plugin.version(),
        null,
        List.of(),
        List.of(),
        removed,
        null,
        symbols,
        false,
        restartNeeded,
        process,
        null,
        DryRun.NOTE);
  }

  private void finishIfDeleting(PluginType type, String name, Runnable beforeFiles) {
    Optional<InstalledPlugin> decided = store.deleting(type, name);
    if (decided.isPresent()) {
      beforeFiles.run();
      Checks.act(() -> finish(decided.get()));
    }
  }

  /**
   * Removes a plugin already marked DELETING; the removals are durable before the row goes, so a
   * power cut cannot bring the files back for the next start to auto-load.
   */
  void finish(InstalledPlugin plugin) throws IOException {
    removeFiles(home, plugin.files());
    pauses.at("dropping", plugin.name());
    store.remove(plugin.type(), plugin.name());
  }

  /**
   * Removes these files (relative to the home folder, never outside it) and the folders they leave
   * empty, durably: a power cut cannot bring them back for the next start to auto-load.
   */
  static void removeFiles(HomeLayout home, List<String> files) throws IOException {
    List<Path> removed = new ArrayList<>();
    for (String rel : files) {
      Path file = home.base().resolve(rel).normalize();
      if (file.startsWith(home.base())) {
        Files.deleteIfExists(file);
        Prune.emptyParents(file.getParent(), home.base());
        removed.add(file);
      }
    }
    Durability.flush(home.base(), removed);
  }
}
