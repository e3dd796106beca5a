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

  /**
   * Where an installed plugin came from: its URL, the digest of the zip, install.sh's arguments.
   */
  public record Source(String url, String sha256, List<String> shellParas) {}

  /** A plugin installed through the API from {@code source}. */
  public static NewPlugin installed(
      PluginType type,
      String name,
      String version,
      String artifact,
      Source source,
      Optional<List<String>> functions,
      List<String> files) {
    return new NewPlugin(
        type,
        name,
        version,
        artifact,
        source.url(),
        source.sha256(),
        source.shellParas(),
        functions,
        files);
  }

  /** A plugin found on disk at start-up, with no row (eKuiper's auto-load): no source. */
  public static NewPlugin autoLoaded(
      PluginType type, String name, String version, String artifact, List<String> files) {
    return new NewPlugin(
        type, name, version, artifact, null, null, List.of(), Optional.empty(), files);
  }

  /** A function plugin's new function list, as the register API replaces it. */
  public static NewPlugin functionList(String name, List<String> functions) {
    return new NewPlugin(
        PluginType.FUNCTIONS,
        name,
        "",
        null,
        null,
        null,
        List.of(),
        Optional.of(functions),
        List.of());
  }

  /** This plugin declaring no function at all (its own name is taken by another). */
  public NewPlugin withoutFunctions() {
    return new NewPlugin(
        type,
        name,
        version,
        artifact,
        sourceUrl,
        sha256,
        shellParas,
        Optional.of(List.of()),
        files);
  }

  /** The UDF symbols this plugin owns: the declared list, else its own name for functions. */
  public List<String> symbols() {
    if (type != PluginType.FUNCTIONS) {
      return List.of();
    }
    return functions.orElse(List.of(name));
  }
}
