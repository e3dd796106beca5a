package dev.kpm;

import dev.kpm.install.InstallService;
import dev.kpm.install.PortableService;
import dev.kpm.plugin.PluginService;
import dev.kpm.portable.PortableRuntime;

/**
 * The services the HTTP API calls: reads of the registry, changes of native and portable plugins,
 * and the running portable plugins.
 */
public record Services(
    PluginService plugins,
    InstallService installs,
    PortableService portables,
    PortableRuntime runtime) {}
