package dev.kpm.plugin;

import dev.kpm.persistence.Transactions;
import jakarta.persistence.EntityManager;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads of the plugin registry, answered from the database with eKuiper's rules and error texts.
 * Thread-safe: every call is one short transaction.
 */
public final class PluginService {
  private final Transactions tx;
  private final HomeLayout layout;
  private final Prebuild prebuild;

  public PluginService(Transactions tx, HomeLayout layout, Prebuild prebuild) {
    this.tx = tx;
    this.layout = layout;
    this.prebuild = prebuild;
  }

  /** eKuiper's prebuild listing for this machine. */
  public Map<String, String> prebuild(PluginType type) {
    return prebuild.list(type, System.getProperty("os.name"), System.getProperty("os.arch"));
  }

  /** Names of the installed native plugins of {@code type}, sorted. */
  public List<String> listNames(PluginType type) {
    return tx.inTransaction(
        em ->
            em.createQuery(
                    "select p.name from Plugin p where p.type = :type and p.state = :state"
                        + " order by p.name",
                    String.class)
                .setParameter("type", type)
                .setParameter("state", PluginState.INSTALLED)
                .getResultList());
  }

  public NativePluginView describe(PluginType type, String name) {
    Ids.validate(name);
    return tx.inTransaction(
        em ->
            installed(em, type, name)
                .map(p -> new NativePluginView(type, name, p.version(), functionsOf(em, p)))
                .orElseThrow(
                    () ->
                        PluginException.notFound(
                            "describe " + type.word() + " plugin " + name + " error: not found")));
  }

  private static Optional<List<String>> functionsOf(EntityManager em, Plugin plugin) {
    if (plugin.type() != PluginType.FUNCTIONS || !plugin.functionsDeclared()) {
      return Optional.empty();
    }
    return Optional.of(
        em.createQuery(
                "select s.name from FunctionSymbol s where s.plugin = :plugin order by s.position",
                String.class)
            .setParameter("plugin", plugin)
            .getResultList());
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
    return tx.inTransaction(
        em ->
            em.createQuery(
                    "select s.name from FunctionSymbol s where s.plugin.state = :state"
                        + " order by s.name",
                    String.class)
                .setParameter("state", PluginState.INSTALLED)
                .getResultList());
  }

  public UdfView describeUdf(String name) {
    Ids.validate(name);
    return tx.inTransaction(
        em ->
            em.createQuery(
                    "select s.plugin.name from FunctionSymbol s where s.name = :name"
                        + " and s.plugin.state = :state",
                    String.class)
                .setParameter("name", name)
                .setParameter("state", PluginState.INSTALLED)
                .getResultStream()
                .findFirst()
                .map(plugin -> new UdfView(name, plugin))
                .orElseThrow(
                    () ->
                        PluginException.notFound(
                            "describe function " + name + " error: not found")));
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
