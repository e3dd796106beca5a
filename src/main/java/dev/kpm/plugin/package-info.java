/**
 * The plugin domain: types, entities, the home folder layout, reads and the UDF registry. Writes go
 * through {@link dev.kpm.plugin.PluginStore} to the database; native plugin and UDF reads are
 * answered from {@link dev.kpm.plugin.Registry}, an in-memory snapshot {@link
 * dev.kpm.plugin.RegistryCache} renews after each committed write.
 */
package dev.kpm.plugin;
