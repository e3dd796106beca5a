package dev.kpm.plugin;

import dev.kpm.audit.Act;
import dev.kpm.audit.AuditAction;
import dev.kpm.audit.AuditEvent;
import dev.kpm.audit.AuditTrail;
import dev.kpm.persistence.CommitOutcomeUnknownException;
import dev.kpm.persistence.Constraints;
import dev.kpm.persistence.DatabaseUnavailableException;
import dev.kpm.persistence.Transactions;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hibernate.Session;

/**
 * Writes of the plugin registry and the UDF registry. Each method is one transaction, so a
 * registration, an update or a function-list replacement is all-or-nothing, and symbols are only
 * ever removed from their owner (docs/api.md §9.5). Callers serialise per (type, name); the
 * database's constraints guard the rest. Every write tells the {@link RegistryCache} once it has
 * committed (or failed), before it returns. Every change commits with its audit event, appended
 * last in the same transaction (docs/api.md §12): no change without its record. Thread-safe.
 */
public final class PluginStore {
  /** Auto-loaded plugins registered per transaction: short transactions, few commits. */
  static final int AUTOLOAD_CHUNK = 100;

  private final Transactions tx;
  private final RegistryCache registry;
  private final AuditTrail audit;
  private final FleetCommit fleet;

  public PluginStore(Transactions tx, RegistryCache registry, AuditTrail audit) {
    this(tx, registry, audit, FleetCommit.SINGLE);
  }

  /** A store whose every change of the desired state also writes the fleet's part of it. */
  public PluginStore(Transactions tx, RegistryCache registry, AuditTrail audit, FleetCommit fleet) {
    this.tx = tx;
    this.registry = registry;
    this.audit = audit;
    this.fleet = fleet;
  }

  /** This node's applied state of {@code plugin}, in the change's transaction. */
  private void applied(EntityManager em, NewPlugin plugin) {
    fleet.applied(
        em, plugin.type(), plugin.name(), plugin.version(), plugin.sha256(), plugin.files());
  }

  private volatile java.util.function.Consumer<AuditEvent> committed = e -> {};

  /**
   * Who hears of every committed change, with its audit event, after its transaction committed (the
   * lifecycle event stream, docs/api.md §8.16). Must not block.
   */
  public void onCommitted(java.util.function.Consumer<AuditEvent> listener) {
    this.committed = listener;
  }

  private void announce(AuditEvent event) {
    try {
      committed.accept(event);
    } catch (RuntimeException e) {
      java.util.logging.Logger.getLogger(PluginStore.class.getName())
          .log(java.util.logging.Level.WARNING, "a change listener failed", e);
    }
  }

  /** The plugin row in any state, e.g. a delete in flight still counts as present. */
  public boolean exists(PluginType type, String name) {
    return tx.inTransaction(em -> row(em, type, name).isPresent());
  }

  /** The names of every plugin row of {@code type}, in any state: one query for a whole scan. */
  public Set<String> names(PluginType type) {
    return tx.inTransaction(
        em ->
            new HashSet<>(
                em.createQuery("select p.name from Plugin p where p.type = :t", String.class)
                    .setParameter("t", type)
                    .getResultList()));
  }

  /** The functions a function plugin exports, in order. */
  public List<String> symbolsOf(String name) {
    return tx.inTransaction(
        em ->
            em.createQuery(
                    "select s.name from FunctionSymbol s where s.plugin.name = :n"
                        + " and s.plugin.type = :t order by s.position",
                    String.class)
                .setParameter("n", name)
                .setParameter("t", PluginType.FUNCTIONS)
                .getResultList());
  }

  /** Which of {@code names} some plugin already exports as a function. */
  public Set<String> symbolsTaken(Collection<String> names) {
    if (names.isEmpty()) {
      return Set.of();
    }
    return tx.inTransaction(
        em ->
            new HashSet<>(
                em.createQuery(
                        "select s.name from FunctionSymbol s where s.name in :names", String.class)
                    .setParameter("names", names)
                    .getResultList()));
  }

  public Optional<InstalledPlugin> find(PluginType type, String name) {
    return tx.inTransaction(
        em ->
            row(em, type, name)
                .filter(p -> p.state() == PluginState.INSTALLED)
                .map(PluginStore::view));
  }

  /** Every plugin in the given state. */
  public List<InstalledPlugin> inState(PluginState state) {
    return tx.inTransaction(
        em ->
            em.createQuery("select p from Plugin p where p.state = :s order by p.id", Plugin.class)
                .setParameter("s", state)
                .getResultStream()
                .map(PluginStore::view)
                .toList());
  }

  /** The first of {@code names} owned by another plugin than {@code owner}; or a duplicate. */
  public Optional<String> firstConflict(List<String> names, String owner) {
    Set<String> seen = new LinkedHashSet<>();
    for (String n : names) {
      if (!seen.add(n)) {
        return Optional.of(n);
      }
    }
    List<String> taken = tx.inTransaction(em -> takenByOthers(em, names, owner));
    return names.stream().filter(taken::contains).findFirst();
  }

  /** Registers a new plugin and its symbols and ends its install record, in one transaction. */
  public void register(
      NewPlugin plugin, PluginOrigin origin, long recordId, InstallLog log, Act act) {
    write(
        plugin,
        installed(act, plugin),
        em -> {
          fleet.lock(em, plugin.type(), plugin.name());
          Plugin row = new Plugin(plugin.type(), plugin.name(), PluginState.INSTALLED);
          row.apply(plugin, origin);
          em.persist(row);
          em.flush();
          insertSymbols(em, row, plugin.symbols());
          em.find(InstallRecord.class, recordId).finish(InstallState.SUCCEEDED, null, log);
          applied(em, plugin);
        });
  }

  /**
   * Registers plugins found on disk at start-up (eKuiper's auto-load), each with its install record
   * of operation AUTOLOAD, already succeeded: {@value #AUTOLOAD_CHUNK} plugins per transaction, in
   * JDBC batches ({@link AutoLoadRows}). The caller has checked that no row and no symbol is in the
   * way.
   */
  public void autoLoad(List<NewPlugin> plugins, Path staging) {
    for (int from = 0; from < plugins.size(); from += AUTOLOAD_CHUNK) {
      List<NewPlugin> chunk =
          plugins.subList(from, Math.min(plugins.size(), from + AUTOLOAD_CHUNK));
      List<AuditEvent> events = chunk.stream().map(PluginStore::autoLoaded).toList();
      commit(
          em -> {
            em.unwrap(Session.class).doWork(c -> AutoLoadRows.insert(c, chunk, staging));
            audit.appendAll(em, events);
            return null;
          });
      events.forEach(this::announce);
    }
  }

  private static AuditEvent autoLoaded(NewPlugin p) {
    return Act.system(AuditAction.PLUGIN_AUTOLOAD)
        .plugin(p.type().word(), p.name())
        .versionAfter(p.version())
        .detail("found on disk at start-up: " + p.artifact())
        .succeeded();
  }

  /** Registers a new portable plugin with its metadata and ends its install record. */
  public void registerPortable(
      NewPlugin plugin,
      PortableSpec spec,
      PluginOrigin origin,
      long recordId,
      InstallLog log,
      Act act) {
    write(
        plugin,
        installed(act, plugin),
        em -> {
          fleet.lock(em, plugin.type(), plugin.name());
          Plugin row = new Plugin(plugin.type(), plugin.name(), PluginState.INSTALLED);
          row.apply(plugin, origin);
          em.persist(row);
          em.flush();
          em.persist(new PortableMeta(row, spec));
          em.find(InstallRecord.class, recordId).finish(InstallState.SUCCEEDED, null, log);
          applied(em, plugin);
        });
  }

  /** Replaces an installed portable plugin's attributes and metadata; ends its record. */
  public void replacePortable(
      NewPlugin plugin, PortableSpec spec, long recordId, InstallLog log, Act act) {
    write(
        plugin,
        installed(act, plugin),
        em -> {
          fleet.lock(em, plugin.type(), plugin.name());
          Plugin row = row(em, plugin.type(), plugin.name()).orElseThrow();
          act.versionBefore(row.version());
          row.apply(plugin, PluginOrigin.API);
          em.find(PortableMeta.class, row.id()).apply(spec);
          em.find(InstallRecord.class, recordId).finish(InstallState.SUCCEEDED, null, log);
          applied(em, plugin);
        });
  }

  /** The metadata of every installed portable plugin, by name: what kpm starts at boot. */
  public java.util.Map<String, PortableSpec> portables() {
    return tx.inTransaction(
        em ->
            em.createQuery(
                    "select m from PortableMeta m join fetch m.plugin p where p.state = :s",
                    PortableMeta.class)
                .setParameter("s", PluginState.INSTALLED)
                .getResultStream()
                .collect(
                    java.util.stream.Collectors.toMap(m -> m.plugin().name(), PortableMeta::spec)));
  }

  /** Replaces an installed plugin's attributes and symbols, and ends its install record. */
  public void replace(NewPlugin plugin, long recordId, InstallLog log, Act act) {
    write(
        plugin,
        installed(act, plugin),
        em -> {
          fleet.lock(em, plugin.type(), plugin.name());
          Plugin row = row(em, plugin.type(), plugin.name()).orElseThrow();
          act.versionBefore(row.version());
          row.apply(plugin, PluginOrigin.API);
          deleteSymbols(em, row);
          insertSymbols(em, row, plugin.symbols());
          em.find(InstallRecord.class, recordId).finish(InstallState.SUCCEEDED, null, log);
          applied(em, plugin);
        });
  }

  /** Replaces a function plugin's function list (the register API); all or nothing. */
  public void replaceFunctions(String name, List<String> functions, Act act) {
    act.plugin(PluginType.FUNCTIONS.word(), name)
        .detail("functions " + String.join(",", functions));
    write(
        NewPlugin.functionList(name, functions),
        act,
        em -> {
          fleet.lock(em, PluginType.FUNCTIONS, name);
          Plugin row = row(em, PluginType.FUNCTIONS, name).orElseThrow();
          row.functionsDeclared(true);
          deleteSymbols(em, row);
          insertSymbols(em, row, functions);
          fleet.changed(em);
        });
  }

  /** Marks an installed plugin as being deleted: from now on it is invisible. */
  public Optional<InstalledPlugin> markDeleting(PluginType type, String name, Act act) {
    act.plugin(type.word(), name);
    Optional<InstalledPlugin> marked =
        commit(
            em ->
                row(em, type, name)
                    .filter(p -> p.state() == PluginState.INSTALLED)
                    .map(
                        p -> {
                          p.state(PluginState.DELETING);
                          p.workerNode(fleet.nodeId());
                          act.versionBefore(p.version()).source(p.sourceUrl()).artifact(p.sha256());
                          em.flush();
                          audit.append(em, act.succeeded());
                          return view(p);
                        }));
    if (marked.isPresent()) {
      act.recorded();
      announce(act.succeeded());
    }
    return marked;
  }

  /** The plugin if its drop was decided but not finished (its row is DELETING). */
  public Optional<InstalledPlugin> deleting(PluginType type, String name) {
    return tx.inTransaction(
        em ->
            row(em, type, name)
                .filter(p -> p.state() == PluginState.DELETING)
                .map(PluginStore::view));
  }

  /** Removes the row; its symbols and metadata go with it (ON DELETE CASCADE). */
  public void remove(PluginType type, String name) {
    commit(
        em -> {
          fleet.lock(em, type, name);
          row(em, type, name).ifPresent(em::remove);
          fleet.removed(em, type, name);
          return null;
        });
  }

  /**
   * The plugins whose drop was decided but not finished by this node (or before nodes were): what
   * its start finishes. Another node's drop in flight is that node's to finish.
   */
  public List<InstalledPlugin> ownDeleting() {
    return tx.inTransaction(
        em ->
            em.createQuery(
                    "select p from Plugin p where p.state = :s"
                        + " and (p.workerNode is null or p.workerNode = :node) order by p.id",
                    Plugin.class)
                .setParameter("s", PluginState.DELETING)
                .setParameter("node", fleet.nodeId() == null ? "" : fleet.nodeId())
                .getResultStream()
                .map(PluginStore::view)
                .toList());
  }

  /**
   * One write transaction; the read model learns of it once it has ended, committed or not — but
   * for one the database never received (it was unavailable): reads then keep answering from
   * memory. After a commit of unknown outcome the next read reloads, so it may wait for the
   * database rather than show a state that may be gone.
   */
  private <T> T commit(java.util.function.Function<EntityManager, T> work) {
    boolean sent = true;
    try {
      return tx.inTransaction(work);
    } catch (DatabaseUnavailableException e) {
      sent = e instanceof CommitOutcomeUnknownException;
      throw e;
    } finally {
      if (sent) {
        registry.changed();
      }
    }
  }

  /** The act of installing {@code plugin}, with what the registry will record of it. */
  private static Act installed(Act act, NewPlugin plugin) {
    return act.plugin(plugin.type().word(), plugin.name())
        .source(plugin.sourceUrl())
        .artifact(plugin.sha256())
        .versionAfter(plugin.version());
  }

  /** One write and its audit event, appended last; the act is recorded once it committed. */
  private void write(NewPlugin plugin, Act act, java.util.function.Consumer<EntityManager> work) {
    try {
      AuditEvent[] event = new AuditEvent[1];
      commit(
          em -> {
            work.accept(em);
            em.flush();
            event[0] = act.succeeded();
            audit.append(em, event[0]);
            return null;
          });
      act.recorded();
      announce(event[0]);
    } catch (PersistenceException e) {
      if (Constraints.violated(e, "plugin_type_name_uq")) {
        throw PluginException.invalid("invalid name " + plugin.name() + ": duplicate");
      }
      if (Constraints.violated(e, "function_symbol_pkey")) {
        String name =
            firstConflict(plugin.symbols(), plugin.name())
                .orElse(String.join(",", plugin.symbols()));
        throw PluginException.invalid("function name " + name + " already exists");
      }
      throw e;
    }
  }

  private static void insertSymbols(EntityManager em, Plugin row, List<String> names) {
    for (int i = 0; i < names.size(); i++) {
      em.persist(new FunctionSymbol(names.get(i), row, i));
    }
    em.flush();
  }

  private static void deleteSymbols(EntityManager em, Plugin row) {
    // A bulk delete runs at once; entity removals would be flushed after the inserts.
    em.createQuery("delete from FunctionSymbol s where s.plugin = :p")
        .setParameter("p", row)
        .executeUpdate();
  }

  private static List<String> takenByOthers(
      EntityManager em, Collection<String> names, String owner) {
    if (names.isEmpty()) {
      return List.of();
    }
    return em.createQuery(
            "select s.name from FunctionSymbol s where s.name in :names and s.plugin.name <> :owner",
            String.class)
        .setParameter("names", names)
        .setParameter("owner", owner)
        .getResultList();
  }

  static Optional<Plugin> row(EntityManager em, PluginType type, String name) {
    return em.createQuery("select p from Plugin p where p.type = :t and p.name = :n", Plugin.class)
        .setParameter("t", type)
        .setParameter("n", name)
        .getResultStream()
        .findFirst();
  }

  private static InstalledPlugin view(Plugin p) {
    return new InstalledPlugin(
        p.type(), p.name(), p.version(), p.artifact(), Arrays.asList(p.files()));
  }
}
