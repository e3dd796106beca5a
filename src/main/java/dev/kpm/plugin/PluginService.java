package dev.kpm.plugin;

import dev.kpm.persistence.Transactions;
import jakarta.persistence.EntityManager;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads of the plugin registry with eKuiper's rules and error texts. Lists and describes of native
 * plugins and UDFs come from the in-memory {@link Registry} (as eKuiper's do); portables, health
 * and the install log are read from the database. Thread-safe.
 */
public final class PluginService implements PluginReads {
  private final Transactions tx;
  private final HomeLayout layout;
  private final Prebuild prebuild;
  private final RegistryCache registry;

  public PluginService(
      Transactions tx, HomeLayout layout, Prebuild prebuild, RegistryCache registry) {
    this.tx = tx;
    this.layout = layout;
    this.prebuild = prebuild;
    this.registry = registry;
  }

  /** eKuiper's prebuild listing for this machine. */
  public Map<String, String> prebuild(PluginType type) {
    return prebuild.list(type, System.getProperty("os.name"), System.getProperty("os.arch"));
  }

  /** The registry snapshot that includes every change committed so far. */
  public Registry registry() {
    return registry.current();
  }

  /** Names of the installed native plugins of {@code type}, sorted. */
  public List<String> listNames(PluginType type) {
    return registry().names(type);
  }

  public NativePluginView describe(PluginType type, String name) {
    return registry().describe(type, name);
  }

  public List<PortablePluginView> listPortables() {
    return tx.inTransaction(
        em ->
            em.createQuery(
                    "select m from PortableMeta m join fetch m.plugin p where p.state = :state"
                        + " order by p.name",
                    PortableMeta.class)
                .setParameter("state", PluginState.INSTALLED)
                .getResultStream()
                .map(this::view)
                .toList());
  }

  public PortablePluginView describePortable(String name) {
    Ids.validate(name);
    return tx.inTransaction(
        em ->
            installed(em, PluginType.PORTABLES, name)
                .map(p -> view(em.find(PortableMeta.class, p.id())))
                .orElseThrow(
                    () ->
                        PluginException.notFound(
                            "describe portable plugin " + name + " error: not found")));
  }

  private PortablePluginView view(PortableMeta meta) {
    Plugin plugin = meta.plugin();
    return new PortablePluginView(
        plugin.name(),
        plugin.version(),
        meta.language(),
        layout.plugins(PluginType.PORTABLES).resolve(plugin.name()).resolve(meta.executable()),
        meta.virtualEnvType(),
        meta.env(),
        listOrNull(meta.sources()),
        listOrNull(meta.sinks()),
        listOrNull(meta.functions()));
  }

  private static List<String> listOrNull(String[] names) {
    return names == null ? null : Arrays.asList(names);
  }

  /** All registered native function names, sorted. */
  public List<String> listUdfs() {
    return registry().udfs();
  }

  public UdfView describeUdf(String name) {
    return registry().describeUdf(name);
  }

  private static Optional<Plugin> installed(EntityManager em, PluginType type, String name) {
    return em.createQuery(
            "select p from Plugin p where p.type = :type and p.name = :name and p.state = :state",
            Plugin.class)
        .setParameter("type", type)
        .setParameter("name", name)
        .setParameter("state", PluginState.INSTALLED)
        .getResultStream()
        .findFirst();
  }

  /**
   * Whether the files a plugin installed are still on disk (kpm extension). A plugin whose files
   * vanished is reported here, never dropped silently.
   */
  public PluginHealth health(PluginType type, String name) {
    Ids.validate(name);
    List<String> files =
        tx.inTransaction(
            em ->
                installed(em, type, name)
                    .map(p -> Arrays.asList(p.files()))
                    .orElseThrow(
                        () ->
                            PluginException.notFound(
                                "health of "
                                    + type.word()
                                    + " plugin "
                                    + name
                                    + " error: not found")));
    List<String> missing =
        files.stream().filter(f -> !Files.exists(layout.base().resolve(f))).toList();
    return new PluginHealth(name, missing.isEmpty() ? "ok" : "missing-files", files, missing);
  }

  /** The entity classes Hibernate must know; for the persistence bootstrap. */
  public static List<Class<?>> entities() {
    return List.of(Plugin.class, FunctionSymbol.class, PortableMeta.class, InstallRecord.class);
  }
}
