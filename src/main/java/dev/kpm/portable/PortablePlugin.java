package dev.kpm.portable;

import java.nio.file.Path;

/**
 * A portable plugin as the host runs it.
 *
 * @param executable absolute path of the executable in {@code plugins/portable/<name>/}
 * @param virtualEnvType {@code conda} or null
 */
public record PortablePlugin(
    String name, String language, Path executable, String virtualEnvType, String env) {

  /** The plugin's folder: the process's working directory. */
  public Path folder() {
    return executable.getParent();
  }
}
