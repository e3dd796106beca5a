package dev.kpm.plugin;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The native plugin registry and the UDF registry as they were at one moment: what eKuiper keeps in
 * memory and answers its reads from. Immutable and thread-safe; {@link RegistryCache} makes a new
 * one after every committed change. Answers rendered from one snapshot (say, response bytes) may be
 * kept in it with {@link #derived}: they can never outlive the data they show.
 */
public final class Registry {
  private final long generation;
  private final Map<PluginType, List<String>> names;
  private final Map<PluginType, Map<String, NativePluginView>> plugins;
  private final List<String> udfs;
  private final Map<String, String> udfOwners;
  private final Map<Object, Object> derived = new ConcurrentHashMap<>();

  Registry(
      long generation,
      Map<PluginType, Map<String, NativePluginView>> plugins,
      List<String> udfs,
      Map<String, String> udfOwners) {
    this.generation = generation;
    this.plugins = new EnumMap<>(PluginType.class);
    this.names = new EnumMap<>(PluginType.class);
    plugins.forEach(
        (type, byName) -> {
          this.plugins.put(type, Map.copyOf(byName));
          this.names.put(type, byName.keySet().stream().sorted().toList());
        });
    this.udfs = List.copyOf(udfs);
    this.udfOwners = Map.copyOf(udfOwners);
  }

  /**
   * A snapshot of exactly these plugins and function owners, for a reader that does not come from
   * the database (an in-memory stand-in of the registry in the HTTP contract tests).
   */
  public static Registry of(List<NativePluginView> plugins, Map<String, String> udfOwners) {
    Map<PluginType, Map<String, NativePluginView>> byType = new EnumMap<>(PluginType.class);
    for (PluginType type : PluginType.values()) {
      if (type.isNative()) {
        byType.put(type, new java.util.LinkedHashMap<>());
      }
    }
    plugins.forEach(p -> byType.get(p.type()).put(p.name(), p));
    return new Registry(-1, byType, udfOwners.keySet().stream().sorted().toList(), udfOwners);
  }

  /** The count of committed changes this snapshot includes at least. */
  long generation() {
    return generation;
  }

  /** Names of the installed native plugins of {@code type}, sorted. */
  public List<String> names(PluginType type) {
    return names.getOrDefault(type, List.of());
  }

  /** The installed native plugin, if any; {@code name} is not validated. */
  public Optional<NativePluginView> find(PluginType type, String name) {
    return Optional.ofNullable(plugins.getOrDefault(type, Map.of()).get(name));
  }

  /** The installed native plugin, or eKuiper's ValidateID or not-found error. */
  public NativePluginView describe(PluginType type, String name) {
    Ids.validate(name);
    return find(type, name)
        .orElseThrow(
            () ->
                PluginException.notFound(
                    "describe " + type.word() + " plugin " + name + " error: not found"));
  }

  /** All registered native function names, sorted. */
  public List<String> udfs() {
    return udfs;
  }

  /** The function plugin owning function {@code name}, if any; {@code name} is not validated. */
  public Optional<UdfView> findUdf(String name) {
    return Optional.ofNullable(udfOwners.get(name)).map(plugin -> new UdfView(name, plugin));
  }

  /** The owner of function {@code name}, or eKuiper's ValidateID or not-found error. */
  public UdfView describeUdf(String name) {
    Ids.validate(name);
    return findUdf(name)
        .orElseThrow(
            () -> PluginException.notFound("describe function " + name + " error: not found"));
  }

  /**
   * A value computed from this snapshot, computed once per {@code key} and kept as long as the
   * snapshot. {@code compute} must read nothing but this snapshot.
   */
  @SuppressWarnings("unchecked")
  public <T> T derived(Object key, Supplier<T> compute) {
    return (T) derived.computeIfAbsent(key, k -> compute.get());
  }
}
