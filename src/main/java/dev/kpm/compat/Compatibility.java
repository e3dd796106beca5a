package dev.kpm.compat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The check {@code plugin.Open} makes, on the files: the plugin must find its C library, and every
 * package it links must have the engine's fingerprint when the engine has that package (the dynamic
 * linker binds the plugin's {@code go.link.pkghash.<pkg>} to the engine's symbol; a package only
 * the plugin has binds to its own and always matches). The loader names the first difference in the
 * plugin's pkghashes order.
 */
public final class Compatibility {
  private Compatibility() {}

  /** Reads both files and checks them; an unreadable file is an {@code unknown} verdict. */
  public static Verdict check(Path engine, Path plugin) {
    Reading e = GoBinaries.read(engine);
    if (e instanceof Reading.Unknown u) {
      return Verdict.unknown("eKuiper binary " + u.reason(), Optional.empty());
    }
    Reading p = GoBinaries.read(plugin);
    if (p instanceof Reading.Unknown u) {
      return Verdict.unknown("plugin " + u.reason(), Optional.empty());
    }
    return check(((Reading.Read) e).binary(), ((Reading.Read) p).binary());
  }

  public static Verdict check(GoBinary engine, GoBinary plugin) {
    if (!plugin.goPlugin()) {
      return Verdict.unknown(
          plugin.path().getFileName()
              + " is not a Go plugin (no package fingerprints for the"
              + " loader)",
          Optional.empty());
    }
    if (!engine.pluginCapableHost()) {
      return Verdict.unknown(
          engine.path().getFileName() + " is not a Go program that can load plugins",
          Optional.empty());
    }
    if (engine.machine() != plugin.machine()
        || engine.elfClass() != plugin.elfClass()
        || engine.bigEndian() != plugin.bigEndian()) {
      String text =
          "plugin is built for "
              + plugin.architecture()
              + ", eKuiper runs on "
              + engine.architecture();
      return Verdict.unknown(text, Optional.of(text));
    }
    Optional<String> libcMismatch = Optional.empty();
    Optional<String> missing = Optional.empty();
    if (engine.libc() == Libc.GLIBC && plugin.libc() == Libc.MUSL) {
      libcMismatch = Optional.of("plugin needs musl libc, eKuiper uses glibc");
      missing = plugin.needed().stream().filter(Libc::isMusl).findFirst();
    } else if (engine.libc() == Libc.MUSL && plugin.libc() == Libc.GLIBC) {
      libcMismatch = Optional.of("plugin needs glibc, eKuiper uses musl libc");
      missing = plugin.needed().stream().filter(n -> n.startsWith("libc.so.")).findFirst();
    }
    List<String> differing = new ArrayList<>();
    Map<String, String> modules = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : plugin.fingerprints().entrySet()) {
      String theirs = engine.fingerprints().get(e.getKey());
      if (theirs != null && !theirs.equals(e.getValue())) {
        differing.add(e.getKey());
        engine
            .buildInfo()
            .flatMap(b -> b.moduleOf(e.getKey()))
            .ifPresent(m -> modules.put(e.getKey(), m.describe()));
      }
    }
    boolean incompatible = !differing.isEmpty() || libcMismatch.isPresent();
    return new Verdict(
        incompatible ? Verdict.Status.INCOMPATIBLE : Verdict.Status.COMPATIBLE,
        "",
        differing,
        differing.stream().findFirst(),
        differing.contains("runtime"),
        engine.goVersion(),
        plugin.goVersion(),
        modules,
        engine.libc(),
        plugin.libc(),
        libcMismatch,
        missing,
        Optional.empty());
  }
}
