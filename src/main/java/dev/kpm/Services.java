package dev.kpm;

import dev.kpm.install.PluginChanges;
import dev.kpm.install.PortableChanges;
import dev.kpm.plugin.PluginReads;
import dev.kpm.portable.PortableOperations;

/**
 * The services the HTTP API calls: reads of the registry, changes of native and portable plugins,
 * and the running portable plugins. kpm's are built by {@link KpmRuntime}; the HTTP contract tests
 * bind in-memory ones.
 */
public record Services(
    PluginReads plugins,
    PluginChanges installs,
    PortableChanges portables,
    PortableOperations runtime) {}
