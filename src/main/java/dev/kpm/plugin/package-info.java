/** The plugin domain: types, entities, the home folder layout, reads and the UDF registry. */
package dev.kpm.plugin;
