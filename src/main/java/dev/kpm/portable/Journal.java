package dev.kpm.portable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The start commands a plugin has acknowledged, replayed after every (re)start
 * (docs/portable-protocol.md §1.6), and the per-rule reference counts of started sources and sinks
 * (§1.5). Function starts are keyed by symbol, so every started function of a plugin comes back
 * after a crash (eKuiper keys them all by one empty meta). Not thread-safe: guarded by its {@link
 * PluginHost}.
 */
final class Journal {
  private final Map<String, Control> started = new LinkedHashMap<>();
  private final Map<String, Integer> refCount = new TreeMap<>();

  /** Records an acknowledged start; a start of an already started key counts once. */
  void started(Control c) {
    if (started.put(c.key(), c) == null && !c.isFunction()) {
      refCount.merge(c.ruleId(), 1, Integer::sum);
    }
  }

  /** Records an acknowledged stop. */
  void stopped(Control c) {
    if (started.remove(c.key()) != null && !c.isFunction()) {
      refCount.computeIfPresent(c.ruleId(), (rule, n) -> n > 1 ? n - 1 : null);
    }
  }

  List<Control> replay() {
    return new ArrayList<>(started.values());
  }

  Map<String, Integer> refCount() {
    return new TreeMap<>(refCount);
  }
}
