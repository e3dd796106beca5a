package dev.kpm.plugin;

import java.util.List;
import java.util.Map;

/**
 * What the HTTP API reads of the plugin registry. {@link PluginService} is kpm's; the HTTP contract
 * tests serve the API over an in-memory one.
 */
public interface PluginReads {
  /** The current snapshot of the native plugins and UDFs. */
  Registry registry();

  /** eKuiper's prebuild listing for {@code type}. */
  Map<String, String> prebuild(PluginType type);

  /**
   * kpm's {@code ?verified=true} prebuild listing: the entries of {@link #prebuild} whose URL was
   * reachable at the last check (docs/api.md §8.12).
   */
  Map<String, String> verifiedPrebuild(PluginType type);

  /**
   * kpm's {@code GET /plugins/{type}/{name}/meta}: a native plugin's json as installed, or a
   * portable plugin's per-symbol object (docs/api.md §8.11).
   */
  byte[] meta(PluginType type, String name);

  /**
   * eKuiper's {@code GET /metadata/sources}, {@code /metadata/sinks}, {@code /metadata/functions}
   * for the plugins kpm installed (docs/api.md §8.11); {@code kind} is a native type.
   */
  byte[] catalogue(PluginType kind);

  /**
   * eKuiper's {@code GET /metadata/sources/{name}}, {@code /metadata/sinks/{name}}; {@code
   * contentLanguage} picks the not-found text, as eKuiper's does.
   */
  byte[] catalogueItem(PluginType kind, String name, String contentLanguage);

  List<PortablePluginView> listPortables();

  PortablePluginView describePortable(String name);

  PluginHealth health(PluginType type, String name);

  /**
   * kpm's {@code GET /inventory/{type}} (docs/api.md §8.18): every installed plugin of {@code
   * type}, sorted by name, with its row, description and (native) health.
   */
  List<PluginRecordView> inventory(PluginType type);
}
