package dev.kpm.plugin;

import java.util.List;
import java.util.Optional;

/**
 * Everything a successful install registers.
 *
 * @param version the raw version from the {@code .so} name ({@code v1.0.0}), or ""
 * @param artifact the {@code .so} file name below {@code plugins/<type>/}
 * @param sha256 the digest of the downloaded zip, or null
 * @param functions the declared function list (functions only); empty means "the plugin's name"
 * @param files every file put into the home folder, relative to it
 */
public record NewPlugin(
    PluginType type,
    String name,
    String version,
    String artifact,
    String sourceUrl,
    String sha256,
    List<String> shellParas,
    Optional<List<String>> functions,
    List<String> files) {

  /** The UDF symbols this plugin owns: the declared list, else its own name for functions. */
  public List<String> symbols() {
    if (type != PluginType.FUNCTIONS) {
      return List.of();
    }
    return functions.orElse(List.of(name));
  }
}
