package dev.kpm.install;

import dev.kpm.audit.Act;
import java.util.List;

/** What the HTTP API reads and does of install jobs (docs/api.md §8.15). */
public interface JobControl {
  /**
   * One job.
   *
   * @throws dev.kpm.plugin.PluginException 404 for an unknown id
   */
  JobView job(long id);

  /**
   * The newest jobs first.
   *
   * @param state {@code running}, {@code succeeded}, {@code failed} or null for all
   * @throws dev.kpm.plugin.PluginException 400 for another state or a limit outside 1–1000
   */
  List<JobView> jobs(String state, int limit);

  /**
   * Cancels a job and waits (briefly) for it to end.
   *
   * @throws dev.kpm.plugin.PluginException 404 unknown, 409 committing or ended
   */
  JobView cancel(long id, Act act);
}
