package dev.kpm.plugin;

import dev.kpm.persistence.Transactions;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The registry's read model: a {@link Registry} snapshot loaded from the database, replaced on the
 * first read after a committed change. The database stays the only record; the snapshot spares
 * every read its round trips (issue 5, B2). kpm owns its database as it owns its home folder: rows
 * changed behind its back (by hand, or by a second kpm on the same database) show after kpm's next
 * change or restart.
 *
 * <p>Read-your-writes: {@link PluginStore} calls {@link #changed} after each commit and before the
 * request that made the change answers, so any read that starts after that answer loads a snapshot
 * that includes it. A load reads the counter before it queries, so a snapshot never claims a
 * generation whose changes it may lack, and reads plugins and symbols in one statement, so it never
 * shows a plugin without its symbols. Thread-safe; loads are serialised.
 */
public final class RegistryCache {
  private final Transactions tx;
  private final AtomicLong changes = new AtomicLong();
  private final Object loading = new Object();
  private volatile Registry current;

  public RegistryCache(Transactions tx) {
    this.tx = tx;
  }

  /** Called after every committed change of plugin rows or function symbols. */
  public void changed() {
    changes.incrementAndGet();
  }

  /** The snapshot that includes every change committed before this call. */
  public Registry current() {
    Registry snapshot = current;
    if (snapshot != null && snapshot.generation() == changes.get()) {
      return snapshot;
    }
    synchronized (loading) {
      long generation = changes.get();
      snapshot = current;
      if (snapshot == null || snapshot.generation() != generation) {
        snapshot = tx.inTransaction(em -> load(em, generation));
        current = snapshot;
      }
      return snapshot;
    }
  }

  /** One statement, so the snapshot shows one committed state (plugins and symbols alike). */
  private static Registry load(EntityManager em, long generation) {
    Map<PluginType, Map<String, NativePluginView>> plugins = new EnumMap<>(PluginType.class);
    for (PluginType type : PluginType.values()) {
      if (type.isNative()) {
        plugins.put(type, new LinkedHashMap<>());
      }
    }
    Map<String, List<String>> symbolsByPlugin = new HashMap<>();
    Map<String, String> owners = new HashMap<>();
    List<Object[]> rows =
        em.createQuery(
                "select p.type, p.name, p.version, p.functionsDeclared, s.name from Plugin p"
                    + " left join FunctionSymbol s on s.plugin = p"
                    + " where p.state = :s and p.type <> :portables"
                    + " order by p.name, s.position",
                Object[].class)
            .setParameter("s", PluginState.INSTALLED)
            .setParameter("portables", PluginType.PORTABLES)
            .getResultList();
    for (Object[] row : rows) {
      String name = (String) row[1];
      String symbol = (String) row[4];
      if (symbol != null) {
        symbolsByPlugin.computeIfAbsent(name, n -> new ArrayList<>()).add(symbol);
        owners.put(symbol, name);
      }
    }
    for (Object[] row : rows) {
      PluginType type = (PluginType) row[0];
      String name = (String) row[1];
      Optional<List<String>> functions =
          type == PluginType.FUNCTIONS && (Boolean) row[3]
              ? Optional.of(List.copyOf(symbolsByPlugin.getOrDefault(name, List.of())))
              : Optional.empty();
      plugins
          .get(type)
          .putIfAbsent(name, new NativePluginView(type, name, (String) row[2], functions));
    }
    List<String> udfs = new ArrayList<>(owners.keySet());
    udfs.sort(null);
    return new Registry(generation, plugins, udfs, owners);
  }
}
