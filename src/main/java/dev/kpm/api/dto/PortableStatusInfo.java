package dev.kpm.api.dto;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.kpm.portable.PortableStatus;
import java.util.Map;

/**
 * eKuiper's portable status object {@code {"refCount":…,"status":…,"errMsg":…}} with kpm's {@code
 * pid} (0 without a process), {@code restarts}, {@code startedAt} (null when not running) and
 * {@code lastExit} (how the last unexpected exit ended, or null).
 */
@JsonPropertyOrder({"refCount", "status", "errMsg", "pid", "restarts", "startedAt", "lastExit"})
public record PortableStatusInfo(
    Map<String, Integer> refCount,
    String status,
    String errMsg,
    long pid,
    int restarts,
    String startedAt,
    String lastExit) {

  public static PortableStatusInfo from(PortableStatus s) {
    return new PortableStatusInfo(
        s.refCount(),
        s.state().word(),
        s.errMsg(),
        s.pid(),
        s.restarts(),
        s.startedAt() == null ? null : s.startedAt().toString(),
        s.lastExit());
  }
}
