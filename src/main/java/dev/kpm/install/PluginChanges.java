package dev.kpm.install;

import dev.kpm.plugin.InstallRecordView;
import dev.kpm.plugin.PluginType;
import java.util.List;

/**
 * Changes of native plugins as the HTTP API asks for them, each answering eKuiper's text. {@link
 * InstallService} is kpm's.
 */
public interface PluginChanges {
  String create(PluginType type, String body);

  String update(PluginType type, String name, String body);

  /** Drops a plugin; with {@code stop} the server stops right after answering. */
  String drop(PluginType type, String name, boolean stop);

  String register(String name, String body);

  /** The install attempts of a plugin, newest first. */
  List<InstallRecordView> history(PluginType type, String name);
}
