package dev.kpm.plugin;

import java.util.List;
import java.util.Optional;

/**
 * What the API may know of a native plugin.
 *
 * @param version the stored version, raw ({@code v1.0.0})
 * @param functions the function list, present only for function plugins that declared one
 */
public record NativePluginView(
    PluginType type, String name, String version, Optional<List<String>> functions) {}
