package dev.kpm.plugin;

import java.util.List;

/**
 * A registered plugin as the install pipeline needs it.
 *
 * @param files every file the plugin put into the home folder, relative to it
 */
public record InstalledPlugin(
    PluginType type, String name, String version, String artifact, List<String> files) {}
