package dev.kpm.install;

import dev.kpm.audit.Act;
import dev.kpm.plugin.InstallRecordView;
import dev.kpm.plugin.PluginType;
import java.util.List;

/**
 * Changes of native plugins as the HTTP API asks for them, each answering eKuiper's text. {@link
 * InstallService} is kpm's.
 */
public interface PluginChanges {
  /** Creates a plugin; {@code act} is its audit record, committed with the change. */
  String create(PluginType type, String body, Act act);

  String update(PluginType type, String name, String body, Act act);

  /** Drops a plugin; with {@code stop} the server stops right after answering. */
  String drop(PluginType type, String name, boolean stop, Act act);

  String register(String name, String body, Act act);

  /** {@link #create} as a job, answered at once ({@code Prefer: respond-async}, §8.15). */
  JobView submitCreate(PluginType type, String body, Act act);

  JobView submitUpdate(PluginType type, String name, String body, Act act);

  /** What {@link #create} would do, changing nothing ({@code ?dryRun=true}). */
  DryRun planCreate(PluginType type, String body, Act act);

  DryRun planUpdate(PluginType type, String name, String body, Act act);

  DryRun planDrop(PluginType type, String name, Act act);

  /** The install attempts of a plugin, newest first. */
  List<InstallRecordView> history(PluginType type, String name);
}
