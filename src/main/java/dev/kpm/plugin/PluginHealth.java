package dev.kpm.plugin;

import java.util.List;

/**
 * The on-disk state of an installed plugin.
 *
 * @param status {@code ok}, or {@code missing-files} when some of {@code files} vanished
 * @param files every file the plugin installed, relative to the home folder
 * @param missing those of {@code files} no longer on disk
 */
public record PluginHealth(String name, String status, List<String> files, List<String> missing) {}
