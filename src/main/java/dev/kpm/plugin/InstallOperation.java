package dev.kpm.plugin;

/** What an install attempt does. */
public enum InstallOperation {
  CREATE,
  UPDATE,
  AUTOLOAD
}
