package dev.kpm.plugin;

/** How a plugin came to be registered: through the API, or auto-loaded from files found on disk. */
public enum PluginOrigin {
  API,
  AUTOLOAD
}
