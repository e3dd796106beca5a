package dev.kpm.install;

import dev.kpm.plugin.HomeLayout;
import dev.kpm.plugin.InstalledPlugin;
import dev.kpm.plugin.PluginStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Drops a plugin: the row is marked DELETING (the name disappears at once, docs/api.md §9.1), the
 * files the plugin installed are removed — etc and data copies alike (docs/api.md §9.4), nothing it
 * did not install — then the row goes with its symbols. A crash in between is finished at the next
 * start. The caller holds the plugin's lock.
 */
final class PluginRemover {
  private final HomeLayout home;
  private final PluginStore store;

  PluginRemover(HomeLayout home, PluginStore store) {
    this.home = home;
    this.store = store;
  }

  /**
   * Removes a plugin already marked DELETING; the removals are durable before the row goes, so a
   * power cut cannot bring the files back for the next start to auto-load.
   */
  void finish(InstalledPlugin plugin) throws IOException {
    List<Path> removed = new ArrayList<>();
    for (String rel : plugin.files()) {
      Path file = home.base().resolve(rel).normalize();
      if (file.startsWith(home.base())) {
        Files.deleteIfExists(file);
        Prune.emptyParents(file.getParent(), home.base());
        removed.add(file);
      }
    }
    Durability.flush(home.base(), removed);
    store.remove(plugin.type(), plugin.name());
  }
}
