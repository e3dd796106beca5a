package dev.kpm.portable;

import java.time.Instant;
import java.util.Map;

/**
 * eKuiper's status object plus kpm's fields.
 *
 * @param refCount started source and sink instances per rule id
 * @param pid the process id, 0 when no process runs
 * @param restarts how many times kpm restarted the process after it died
 * @param startedAt when the current process passed its handshake, or null
 * @param lastExit how the last process that ended unexpectedly ended (Go's wording: {@code exit
 *     status 2}, {@code signal: killed}), or null
 */
public record PortableStatus(
    Map<String, Integer> refCount,
    ProcessState state,
    String errMsg,
    long pid,
    int restarts,
    Instant startedAt,
    String lastExit) {}
