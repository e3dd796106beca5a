package dev.kpm.install;

import dev.kpm.audit.Act;

/**
 * Changes of portable plugins as the HTTP API asks for them, each answering eKuiper's text. {@link
 * PortableService} is kpm's.
 */
public interface PortableChanges {
  /** Creates a plugin; {@code act} is its audit record, committed with the change. */
  String create(String body, Act act);

  String update(String name, String body, Act act);

  String drop(String name, Act act);

  /** {@link #create} as a job, answered at once ({@code Prefer: respond-async}, §8.15). */
  JobView submitCreate(String body, Act act);

  JobView submitUpdate(String name, String body, Act act);

  /** What {@link #create} would do, changing nothing ({@code ?dryRun=true}). */
  DryRun planCreate(String body, Act act);

  DryRun planUpdate(String name, String body, Act act);

  DryRun planDrop(String name, Act act);
}
