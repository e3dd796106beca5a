package dev.kpm.api.dto;

import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.kpm.fleet.FleetNode;

/**
 * One kpm node of the fleet as {@code /fleet/nodes} shows it (docs/api.md §8.17); {@code engine} is
 * the node's recorded engine summary as a JSON object, or null.
 */
public record FleetNodeInfo(
    String id,
    String address,
    String version,
    String os,
    String arch,
    @JsonRawValue String engine,
    String home,
    String startedAt,
    String heartbeatAt,
    boolean live,
    boolean self,
    long appliedGeneration,
    long pending,
    long failed,
    long incompatible) {

  public static FleetNodeInfo from(FleetNode n) {
    return new FleetNodeInfo(
        n.id(),
        n.address(),
        n.version(),
        n.os(),
        n.arch(),
        n.engine(),
        n.home(),
        n.startedAt().toString(),
        n.heartbeatAt().toString(),
        n.live(),
        n.self(),
        n.appliedGeneration(),
        n.pending(),
        n.failed(),
        n.incompatible());
  }
}
