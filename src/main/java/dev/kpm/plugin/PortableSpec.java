package dev.kpm.plugin;

import java.util.List;

/**
 * A portable plugin's {@code <name>.json} (docs/api.md §6.1), validated.
 *
 * @param executable the path relative to the plugin folder, as written in the json
 * @param sources null when the json has no {@code sources} (eKuiper prints null, not [])
 */
public record PortableSpec(
    String version,
    String language,
    String executable,
    String virtualEnvType,
    String env,
    List<String> sources,
    List<String> sinks,
    List<String> functions) {}
