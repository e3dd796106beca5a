package dev.kpm.plugin;

import dev.kpm.persistence.Transactions;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
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
  private final PrebuildChecks checks;

  public PluginService(
      Transactions tx,
      HomeLayout layout,
      Prebuild prebuild,
      RegistryCache registry,
      PrebuildChecks checks) {
    this.tx = tx;
    this.layout = layout;
    this.prebuild = prebuild;
    this.registry = registry;
    this.checks = checks;
  }

  @Override
  public Map<String, String> verifiedPrebuild(PluginType type) {
    return checks.reachable(prebuild(type));
  }

  /** A metadata file a plugin installed: its path relative to the home folder. */
  private record Owned(String symbol, String relative) {}

  private static String metaFile(PluginType kind, String symbol) {
    return "etc/" + kind.folder() + "/" + symbol + ".json";
  }

  private static boolean owns(Plugin p, String relative) {
    return Arrays.asList(p.files()).contains(relative);
  }

  private static String[] symbols(PortableMeta m, PluginType kind) {
    String[] names =
        switch (kind) {
          case SOURCES -> m.sources();
          case SINKS -> m.sinks();
          case FUNCTIONS -> m.functions();
          default -> null;
        };
    return names == null ? new String[0] : names;
  }

  private static final List<PluginType> KINDS =
      List.of(PluginType.SOURCES, PluginType.SINKS, PluginType.FUNCTIONS);

  @Override
  public byte[] meta(PluginType type, String name) {
    Ids.validate(name);
    String prefix = "metadata of " + type.word() + " plugin " + name + " error: ";
    if (type != PluginType.PORTABLES) {
      String relative = metaFile(type, name);
      boolean shipped =
          tx.inTransaction(
              em ->
                  installed(em, type, name)
                      .map(p -> owns(p, relative))
                      .orElseThrow(() -> PluginException.notFound(prefix + "not found")));
      if (!shipped) {
        throw PluginException.notFound(
            prefix + "the plugin shipped no metadata (" + name + ".json)");
      }
      return readMeta(prefix, relative)
          .orElseThrow(
              () ->
                  PluginException.notFound(
                      prefix + "the plugin shipped no metadata (" + name + ".json)"));
    }
    Map<PluginType, List<Owned>> declared =
        tx.inTransaction(
            em -> {
              Plugin p =
                  installed(em, type, name)
                      .orElseThrow(() -> PluginException.notFound(prefix + "not found"));
              return symbolFiles(p, em.find(PortableMeta.class, p.id()));
            });
    StringBuilder json = new StringBuilder("{");
    for (PluginType kind : KINDS) {
      if (json.length() > 1) {
        json.append(',');
      }
      json.append('"').append(kind.word()).append("\":{");
      boolean first = true;
      for (Owned o : declared.get(kind)) {
        if (!first) {
          json.append(',');
        }
        first = false;
        json.append(quote(o.symbol())).append(':');
        byte[] bytes = o.relative() == null ? null : readMeta(prefix, o.relative()).orElse(null);
        json.append(bytes == null ? "null" : new String(bytes, StandardCharsets.UTF_8));
      }
      json.append('}');
    }
    return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A portable plugin's declared symbols by kind (sources, sinks, functions), each with the
   * metadata file it installed, or null when it shipped none.
   */
  private static Map<PluginType, List<Owned>> symbolFiles(Plugin p, PortableMeta m) {
    Map<PluginType, List<Owned>> out = new java.util.EnumMap<>(PluginType.class);
    for (PluginType kind : KINDS) {
      List<Owned> owned = new ArrayList<>();
      for (String symbol : symbols(m, kind)) {
        String rel = metaFile(kind, symbol);
        owned.add(new Owned(symbol, owns(p, rel) ? rel : null));
      }
      out.put(kind, owned);
    }
    return out;
  }

  /**
   * The metadata files that describe a plugin, in the order {@link #meta} serves them: a native
   * plugin's own json if it shipped one; a portable's symbol jsons, sources first.
   */
  private static List<String> describingFiles(Plugin p, PortableMeta m) {
    if (p.type().isNative()) {
      String rel = metaFile(p.type(), p.name());
      return owns(p, rel) ? List.of(rel) : List.of();
    }
    if (m == null) {
      return List.of();
    }
    return symbolFiles(p, m).values().stream()
        .flatMap(List::stream)
        .map(Owned::relative)
        .filter(java.util.Objects::nonNull)
        .toList();
  }

  /** A plugin row read in one transaction, with the metadata files that may describe it. */
  private record Row(Plugin plugin, List<String> describing) {}

  @Override
  public List<PluginRecordView> inventory(PluginType type) {
    List<Row> rows =
        tx.inTransaction(
            em -> {
              List<Plugin> plugins =
                  em.createQuery(
                          "select p from Plugin p where p.type = :type and p.state = :state"
                              + " order by p.name",
                          Plugin.class)
                      .setParameter("type", type)
                      .setParameter("state", PluginState.INSTALLED)
                      .getResultList();
              Map<Long, PortableMeta> metas = new java.util.HashMap<>();
              if (type == PluginType.PORTABLES && !plugins.isEmpty()) {
                em.createQuery(
                        "select m from PortableMeta m join fetch m.plugin p where p.state = :state",
                        PortableMeta.class)
                    .setParameter("state", PluginState.INSTALLED)
                    .getResultStream()
                    .forEach(m -> metas.put(m.plugin().id(), m));
              }
              return plugins.stream()
                  .map(p -> new Row(p, describingFiles(p, metas.get(p.id()))))
                  .toList();
            });
    return rows.stream()
        .map(
            r -> {
              Plugin p = r.plugin();
              String description =
                  r.describing().stream()
                      .map(rel -> PluginMetadata.description(layout.base().resolve(rel)))
                      .flatMap(Optional::stream)
                      .findFirst()
                      .orElse(null);
              String health =
                  type.isNative() ? healthOf(p.name(), Arrays.asList(p.files())).status() : null;
              return new PluginRecordView(
                  type,
                  p.name(),
                  p.version(),
                  p.origin(),
                  p.sourceUrl(),
                  p.sha256(),
                  p.createdAt(),
                  p.updatedAt(),
                  description,
                  health,
                  List.of(p.shellParas()));
            })
        .toList();
  }

  private Optional<byte[]> readMeta(String prefix, String relative) {
    try {
      return PluginMetadata.read(layout.base().resolve(relative), relative);
    } catch (PluginMetadata.Unusable e) {
      throw PluginException.invalid(prefix + e.getMessage());
    }
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  /** The installed metadata files of {@code kind}: native plugins and portable symbols. */
  private List<PluginMetadata.Entry> entries(PluginType kind) {
    List<Owned[]> found =
        tx.inTransaction(
            em -> {
              List<Owned[]> out = new ArrayList<>();
              em.createQuery(
                      "select p from Plugin p where p.type = :type and p.state = :state",
                      Plugin.class)
                  .setParameter("type", kind)
                  .setParameter("state", PluginState.INSTALLED)
                  .getResultStream()
                  .forEach(
                      p -> {
                        String rel = metaFile(kind, p.name());
                        if (owns(p, rel)) {
                          out.add(new Owned[] {new Owned(p.name(), rel), null});
                        }
                      });
              em.createQuery(
                      "select m from PortableMeta m join fetch m.plugin p where p.state = :state",
                      PortableMeta.class)
                  .setParameter("state", PluginState.INSTALLED)
                  .getResultStream()
                  .forEach(
                      m -> {
                        for (String symbol : symbols(m, kind)) {
                          String rel = metaFile(kind, symbol);
                          if (owns(m.plugin(), rel)) {
                            out.add(new Owned[] {null, new Owned(symbol, rel)});
                          }
                        }
                      });
              return out;
            });
    return found.stream()
        .map(
            o ->
                o[0] != null
                    ? new PluginMetadata.Entry(
                        o[0].symbol(), "native", layout.base().resolve(o[0].relative()))
                    : new PluginMetadata.Entry(
                        o[1].symbol(), "portable", layout.base().resolve(o[1].relative())))
        .toList();
  }

  @Override
  public byte[] catalogue(PluginType kind) {
    List<PluginMetadata.Entry> entries = entries(kind);
    return kind == PluginType.FUNCTIONS
        ? PluginMetadata.functions(entries)
        : PluginMetadata.list(entries);
  }

  @Override
  public byte[] catalogueItem(PluginType kind, String name, String contentLanguage) {
    Ids.validate(name);
    return entries(kind).stream()
        .filter(e -> e.name().equals(name))
        .findFirst()
        .flatMap(e -> PluginMetadata.item(e, kind == PluginType.SOURCES))
        .orElseThrow(
            () ->
                PluginException.withCode(
                    PluginException.CONF_KEY, PluginMetadata.notFound(contentLanguage, name)));
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
    return healthOf(name, files);
  }

  /** {@link #health} of a plugin whose file list was read. */
  private PluginHealth healthOf(String name, List<String> files) {
    List<String> missing =
        files.stream().filter(f -> !Files.exists(layout.base().resolve(f))).toList();
    return new PluginHealth(name, missing.isEmpty() ? "ok" : "missing-files", files, missing);
  }

  /** The entity classes Hibernate must know; for the persistence bootstrap. */
  public static List<Class<?>> entities() {
    return List.of(Plugin.class, FunctionSymbol.class, PortableMeta.class, InstallRecord.class);
  }
}
