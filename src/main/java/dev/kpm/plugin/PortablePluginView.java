package dev.kpm.plugin;

import java.nio.file.Path;
import java.util.List;

/**
 * What the API may know of a portable plugin: its {@code <name>.json} as installed.
 *
 * @param executable the absolute path of the executable below {@code plugins/portable/<name>/}
 * @param sources null when the plugin json does not list any (eKuiper prints null, not [])
 */
public record PortablePluginView(
    String name,
    String version,
    String language,
    Path executable,
    String virtualEnvType,
    String env,
    List<String> sources,
    List<String> sinks,
    List<String> functions) {}
