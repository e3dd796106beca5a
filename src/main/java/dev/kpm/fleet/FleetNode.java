package dev.kpm.fleet;

import java.time.Instant;

/**
 * One node of the fleet as {@code GET /fleet/nodes} shows it.
 *
 * @param engine the node's engine summary as a JSON object text, or null
 * @param startedAt when it (last) registered, by the database's clock
 * @param heartbeatAt its last heartbeat, by the database's clock
 * @param live whether that heartbeat is younger than {@code kpm.fleet.downAfter} of the node
 *     answering
 * @param self whether it is the node answering
 * @param pending its plugins not applied yet
 * @param failed its plugins whose install failed on it
 * @param incompatible its plugins it cannot run (another architecture or engine)
 */
public record FleetNode(
    String id,
    String address,
    String version,
    String os,
    String arch,
    String engine,
    String home,
    Instant startedAt,
    Instant heartbeatAt,
    boolean live,
    boolean self,
    long appliedGeneration,
    long pending,
    long failed,
    long incompatible) {}
