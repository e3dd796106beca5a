package dev.kpm.install;

import dev.kpm.plugin.HomeLayout;
import dev.kpm.plugin.Ids;
import dev.kpm.plugin.InstalledPlugin;
import dev.kpm.plugin.PluginException;
import dev.kpm.plugin.PluginState;
import dev.kpm.plugin.PluginStore;
import dev.kpm.plugin.PluginType;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The compatibility of installed native plugins with the current eKuiper binary (docs/api.md
 * §8.10), read from the files on disk each time (cached while they are unchanged), so a replaced
 * engine shows at the next read.
 */
public final class CompatService implements PluginCompat {
  private static final Set<String> STATUSES =
      Set.of("compatible", "incompatible", "unknown", "not-checked");

  private final PluginStore store;
  private final HomeLayout home;
  private final EngineCheck check;

  public CompatService(PluginStore store, HomeLayout home, EngineCheck check) {
    this.store = store;
    this.home = home;
    this.check = check;
  }

  @Override
  public CompatReport.Plugin of(PluginType type, String name) {
    Ids.validate(name);
    InstalledPlugin p =
        store
            .find(type, name)
            .filter(i -> i.type() != PluginType.PORTABLES)
            .orElseThrow(
                () ->
                    PluginException.notFound(
                        "compat of " + type.word() + " plugin " + name + " error: not found"));
    return report(p, engine());
  }

  @Override
  public CompatReport all(String status) {
    if (status != null && !status.isEmpty() && !STATUSES.contains(status)) {
      throw PluginException.invalid(
          "invalid status "
              + (status.length() > 40 ? status.substring(0, 40) + "…" : status)
              + ": expected compatible, incompatible, unknown or not-checked");
    }
    CompatReport.Engine engine = engine();
    List<CompatReport.Plugin> all =
        store.inState(PluginState.INSTALLED).stream()
            .filter(p -> p.type() != PluginType.PORTABLES)
            .sorted(
                Comparator.comparing((InstalledPlugin p) -> p.type().word())
                    .thenComparing(InstalledPlugin::name))
            .map(p -> report(p, engine).brief())
            .toList();
    int incompatible = (int) all.stream().filter(p -> p.status().equals("incompatible")).count();
    List<CompatReport.Plugin> shown =
        status == null || status.isEmpty()
            ? all
            : all.stream().filter(p -> p.status().equals(status)).toList();
    return new CompatReport(check.settings().check(), engine, incompatible, shown);
  }

  private CompatReport.Engine engine() {
    EngineCheck.Engine e = check.engine();
    String path = e.path().map(Path::toString).orElse(null);
    if (e.path().isEmpty()) {
      return new CompatReport.Engine(null, "not-configured", e.reason(), null);
    }
    return e.binary()
        .map(b -> new CompatReport.Engine(path, "read", null, CompatReport.Binary.of(b)))
        .orElseGet(() -> new CompatReport.Engine(path, "unknown", e.reason(), null));
  }

  private CompatReport.Plugin report(InstalledPlugin p, CompatReport.Engine engine) {
    Optional<String> so =
        p.files().stream()
            .filter(f -> f.startsWith("plugins/" + p.type().folder() + "/") && f.endsWith(".so"))
            .findFirst();
    if (so.isEmpty()) {
      return new CompatReport.Plugin(
          p.type().word(),
          p.name(),
          p.version(),
          null,
          "unknown",
          null,
          "the plugin has no .so file",
          null,
          null,
          null,
          null,
          engine);
    }
    Path abs = home.base().resolve(so.get()).normalize();
    EngineCheck.Finding f = check.assess(abs);
    return CompatReport.Plugin.of(
        p.type().word(), p.name(), p.version(), so.get(), abs.toString(), f, engine);
  }
}
