package dev.kpm.plugin;

import java.time.Instant;

/**
 * An installed plugin's row as kpm's inventory shows it (docs/api.md §8.18), with what its files
 * say.
 *
 * @param version as stored, e.g. {@code v1.0.0}
 * @param sourceUrl the URL it was installed from; null when not recorded (auto-loaded)
 * @param sha256 the zip's SHA-256; null when not recorded
 * @param installedAt when the plugin was first installed ({@code created_at})
 * @param updatedAt when its row last changed
 * @param description {@code about.description} of its metadata json ({@code en_US}, else {@code
 *     zh_CN}); null when it shipped none or the file is unusable
 * @param health native plugins: {@code ok} or {@code missing-files} ({@link PluginHealth}); null
 *     for portables
 * @param shellParas the {@code shellParas} it was installed with ({@code GET /data/export}, §8.19)
 */
public record PluginRecordView(
    PluginType type,
    String name,
    String version,
    PluginOrigin origin,
    String sourceUrl,
    String sha256,
    Instant installedAt,
    Instant updatedAt,
    String description,
    String health,
    java.util.List<String> shellParas) {}
