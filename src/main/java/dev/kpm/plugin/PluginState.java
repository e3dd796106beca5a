package dev.kpm.plugin;

/** Lifecycle of a plugin row; only {@link #INSTALLED} rows are visible over the API. */
public enum PluginState {
  INSTALLING,
  INSTALLED,
  UPDATING,
  DELETING
}
