package dev.kpm;

import dev.kpm.audit.AuditEvent;
import dev.kpm.events.EventBus;
import dev.kpm.install.JobView;
import dev.kpm.portable.HostEvents;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What kpm publishes on its event stream (docs/api.md §8.16), translated from the parts that know
 * it: committed plugin changes (their audit events), install jobs, and the portable host. Who made
 * a change is shown to admins only.
 */
final class LifecycleEvents {
  private static final Set<String> BY = Set.of("by");
  private final EventBus bus;

  LifecycleEvents(EventBus bus) {
    this.bus = bus;
  }

  /** A committed change of the registry, by its audit event. */
  void committed(AuditEvent e) {
    String type =
        switch (e.action()) {
          case "plugin.create" -> "plugin.created";
          case "plugin.update" -> "plugin.updated";
          case "plugin.delete" -> "plugin.deleted";
          case "plugin.autoload" -> "plugin.autoloaded";
          case "functions.register" -> "plugin.functions";
          case "fleet.apply" -> "fleet.applied";
          case "fleet.remove" -> "fleet.removed";
          default -> null;
        };
    if (type == null) {
      return;
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("pluginType", e.pluginType());
    data.put("name", e.pluginName());
    putIf(data, "versionBefore", e.versionBefore());
    putIf(data, "versionAfter", e.versionAfter());
    putIf(data, "sha256", e.sha256());
    data.put("by", e.subject());
    if (type.startsWith("fleet.")) {
      putIf(data, "node", e.nodeId());
    }
    bus.publish(type, data, BY);
  }

  /** A job's phase change or end. */
  void job(JobView j) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("job", j.id());
    data.put("pluginType", j.type());
    data.put("name", j.name());
    data.put("operation", j.operation());
    data.put("state", j.state());
    data.put("phase", j.phase());
    putIf(data, "status", j.status());
    putIf(data, "text", j.text());
    putIf(data, "by", j.requestedBy());
    bus.publish("job", data, BY);
  }

  /** The portable host's processes, wrapping what {@code also} records of them. */
  HostEvents host(HostEvents also) {
    return new HostEvents() {
      @Override
      public void restarted(String plugin, String cause, String failure) {
        also.restarted(plugin, cause, failure);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", plugin);
        data.put("cause", cause);
        putIf(data, "failure", failure);
        bus.publish(failure == null ? "portable.restarted" : "portable.restart-failed", data);
      }

      @Override
      public void crashLoop(String plugin, String message) {
        also.crashLoop(plugin, message);
        bus.publish("portable.crash-loop", Map.of("name", plugin, "message", message));
      }

      @Override
      public void started(String plugin, long pid) {
        also.started(plugin, pid);
        bus.publish("portable.started", Map.of("name", plugin, "pid", pid));
      }

      @Override
      public void exited(String plugin, long pid, String how) {
        also.exited(plugin, pid, how);
        bus.publish("portable.exited", Map.of("name", plugin, "pid", pid, "exit", how));
      }

      @Override
      public void stopped(String plugin, long pid) {
        also.stopped(plugin, pid);
        bus.publish("portable.stopped", Map.of("name", plugin, "pid", pid));
      }
    };
  }

  private static void putIf(Map<String, Object> data, String key, Object value) {
    if (value != null) {
      data.put(key, value);
    }
  }
}
