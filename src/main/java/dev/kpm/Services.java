package dev.kpm;

import dev.kpm.api.Health;
import dev.kpm.audit.AuditReads;
import dev.kpm.events.EventBus;
import dev.kpm.fleet.FleetNodes;
import dev.kpm.install.JobControl;
import dev.kpm.install.PluginChanges;
import dev.kpm.install.PluginCompat;
import dev.kpm.install.PortableChanges;
import dev.kpm.plugin.PluginReads;
import dev.kpm.portable.PortableOperations;
import dev.kpm.security.TokenAdmin;
import dev.kpm.upload.RemoteFiles;
import dev.kpm.upload.UploadService;
import java.time.Instant;

/**
 * The services the HTTP API calls: reads of the registry, changes of native and portable plugins,
 * the compatibility of native plugins with the eKuiper binary, the running portable plugins, kpm's
 * API tokens, its audit trail and the uploads folder. kpm's are built by {@link KpmRuntime}; the
 * HTTP contract tests bind in-memory ones.
 *
 * @param started when kpm started ({@code GET /} reports the uptime)
 * @param health what {@code GET /ready} and {@code GET /metrics} answer
 * @param fleet the kpm nodes sharing the database ({@code /fleet/nodes})
 * @param files reads the {@code file} URL of {@code POST /data/import} with the download policy
 */
public record Services(
    PluginReads plugins,
    PluginChanges installs,
    PluginCompat compat,
    JobControl jobs,
    EventBus events,
    PortableChanges portables,
    PortableOperations runtime,
    TokenAdmin tokens,
    AuditReads audit,
    UploadService uploads,
    Instant started,
    Health health,
    FleetNodes fleet,
    RemoteFiles files) {}
