package dev.kpm.install;

/**
 * What the HTTP API reads of the compatibility check (docs/api.md §8.10): one installed native
 * plugin against the current eKuiper binary, or all of them. {@link CompatService} is kpm's; the
 * HTTP contract tests serve the API over an in-memory one.
 */
public interface PluginCompat {
  /**
   * The verdict for one installed native plugin.
   *
   * @throws dev.kpm.plugin.PluginException 400 for a bad name, 404 when not installed
   */
  CompatReport.Plugin of(dev.kpm.plugin.PluginType type, String name);

  /**
   * Every installed native plugin's verdict, optionally only those with {@code status}.
   *
   * @throws dev.kpm.plugin.PluginException 400 for an unknown status
   */
  CompatReport all(String status);
}
