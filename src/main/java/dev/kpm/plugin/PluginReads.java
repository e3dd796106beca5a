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

  List<PortablePluginView> listPortables();

  PortablePluginView describePortable(String name);

  PluginHealth health(PluginType type, String name);
}
