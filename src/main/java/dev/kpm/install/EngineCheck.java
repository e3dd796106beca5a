package dev.kpm.install;

import dev.kpm.audit.Act;
import dev.kpm.compat.Compatibility;
import dev.kpm.compat.GoBinaries;
import dev.kpm.compat.GoBinary;
import dev.kpm.compat.Reading;
import dev.kpm.compat.Verdict;
import dev.kpm.install.archive.ArchiveException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The compatibility check of native plugins against the eKuiper binary ({@code kpm.engine.binary};
 * README "Compatibility check"): before a {@code .so} is installed, kpm compares it with the engine
 * as Go's plugin loader does at {@code plugin.Open} ({@link Compatibility}) and refuses, reports or
 * records what it finds. The engine is read once and again whenever its file changes (size,
 * modification time or file identity); readings of installed plugins are cached the same way.
 * Thread-safe.
 */
public final class EngineCheck {
  private static final Logger LOG = Logger.getLogger(EngineCheck.class.getName());
  private static final int CACHED_PLUGINS = 512;

  private final Config settings;
  private Stamped engine;
  private final Map<Path, Stamped> plugins =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, Stamped> eldest) {
          return size() > CACHED_PLUGINS;
        }
      };

  public EngineCheck(Config settings) {
    this.settings = settings;
  }

  /**
   * The check's settings.
   *
   * @param binary {@code kpm.engine.binary}; empty: installs are not checked
   * @param check {@code enforce}, {@code warn} or {@code off} ({@code kpm.engine.check})
   * @param refuseUnknown {@code kpm.engine.unknown=refuse}
   */
  public record Config(Optional<Path> binary, String check, boolean refuseUnknown) {
    /** Whether installs are checked at all. */
    public boolean checks() {
      return binary.isPresent() && !check.equals("off");
    }
  }

  /** A reading of a file as it was when read: re-read when the stamp differs. */
  private record Stamped(Object stamp, Reading reading) {}

  /** The engine, its reading, or why it cannot be used. */
  public record Engine(Optional<Path> path, Optional<GoBinary> binary, String reason) {
    public boolean usable() {
      return binary.isPresent();
    }
  }

  /** What kpm found about one plugin {@code .so}. */
  public record Finding(
      String status, String reason, Optional<Verdict> verdict, Optional<GoBinary> plugin) {
    static final String COMPATIBLE = "compatible";
    static final String INCOMPATIBLE = "incompatible";
    static final String UNKNOWN = "unknown";
    static final String NOT_CHECKED = "not-checked";
  }

  public Config settings() {
    return settings;
  }

  /** The engine as it is on disk now. */
  public synchronized Engine engine() {
    if (settings.binary().isEmpty()) {
      return new Engine(Optional.empty(), Optional.empty(), "kpm.engine.binary is not set");
    }
    Path path = settings.binary().get();
    Object stamp = stamp(path);
    if (engine == null || !java.util.Objects.equals(engine.stamp(), stamp)) {
      Reading reading =
          stamp == null ? new Reading.Unknown(path + ": no such file") : GoBinaries.read(path);
      engine = new Stamped(stamp, reading);
      LOG.info(() -> "eKuiper binary " + path + " read: " + describe(reading));
    }
    if (engine.reading() instanceof Reading.Read read) {
      GoBinary b = read.binary();
      if (!b.pluginCapableHost()) {
        return new Engine(
            Optional.of(path),
            Optional.empty(),
            path
                + " is not a Go program that can load plugins (it exports no package fingerprints)");
      }
      return new Engine(Optional.of(path), Optional.of(b), "");
    }
    return new Engine(
        Optional.of(path), Optional.empty(), ((Reading.Unknown) engine.reading()).reason());
  }

  private static String describe(Reading reading) {
    if (reading instanceof Reading.Read read) {
      GoBinary b = read.binary();
      return b.goVersion().orElse("no Go build info")
          + ", "
          + b.architecture()
          + ", "
          + b.libc().label()
          + ", "
          + b.fingerprints().size()
          + " package fingerprints";
    }
    return ((Reading.Unknown) reading).reason();
  }

  /** The reading of a plugin file, cached while the file is unchanged. */
  private Reading plugin(Path so) {
    Object stamp = stamp(so);
    synchronized (plugins) {
      Stamped cached = plugins.get(so);
      if (cached != null && java.util.Objects.equals(cached.stamp(), stamp)) {
        return cached.reading();
      }
    }
    Reading reading =
        stamp == null
            ? new Reading.Unknown(so.getFileName() + ": no such file")
            : GoBinaries.read(so);
    synchronized (plugins) {
      plugins.put(so, new Stamped(stamp, reading));
    }
    return reading;
  }

  /** What the current engine's loader would make of {@code so}. */
  public Finding assess(Path so) {
    Engine e = engine();
    Reading reading = plugin(so);
    Optional<GoBinary> plugin =
        reading instanceof Reading.Read read ? Optional.of(read.binary()) : Optional.empty();
    if (reading instanceof Reading.Unknown unknown) {
      return new Finding(Finding.UNKNOWN, unknown.reason(), Optional.empty(), plugin);
    }
    if (!e.usable()) {
      return new Finding(
          settings.binary().isEmpty() ? Finding.NOT_CHECKED : Finding.UNKNOWN,
          "eKuiper binary: " + e.reason(),
          Optional.empty(),
          plugin);
    }
    Verdict v = Compatibility.check(e.binary().get(), plugin.get());
    if (v.architectureMismatch().isPresent()) {
      // Not a question of fingerprints: a plugin for another machine never loads.
      return new Finding(
          Finding.INCOMPATIBLE, v.architectureMismatch().get(), Optional.of(v), plugin);
    }
    return new Finding(v.status().label(), v.detail(), Optional.of(v), plugin);
  }

  /**
   * Checks a staged {@code .so} before it is installed at {@code installed}: refuses it when the
   * engine would not load it and the check enforces, or when kpm cannot check it and unknowns are
   * refused; otherwise notes the outcome on the act.
   *
   * @return the finding, or empty when installs are not checked
   * @throws ArchiveException eKuiper's load failure text followed by kpm's detail
   */
  Optional<Finding> beforeInstall(Path staged, Path installed, Act act) throws ArchiveException {
    if (!settings.checks()) {
      return Optional.empty();
    }
    Finding f = assess(staged);
    String abs = installed.toString();
    switch (f.status()) {
      case Finding.COMPATIBLE -> act.note("compat: compatible");
      case Finding.INCOMPATIBLE -> {
        String headline = headline(f, abs);
        if (settings.check().equals("enforce")) {
          throw new ArchiveException(
              headline + (headline.endsWith(f.reason()) ? "" : " (kpm: " + f.reason() + ")"));
        }
        LOG.warning(
            () -> "installing " + abs + " although " + headline + " (kpm: " + f.reason() + ")");
        act.note("compat: incompatible, installed because kpm.engine.check=warn: " + f.reason());
      }
      default -> {
        if (settings.refuseUnknown()) {
          throw new ArchiveException(
              "cannot open "
                  + abs
                  + ": kpm cannot check it against eKuiper and kpm.engine.unknown=refuse: "
                  + f.reason());
        }
        act.note("compat: unknown: " + f.reason());
      }
    }
    return Optional.of(f);
  }

  /**
   * As {@link #beforeInstall}, for a node applying the fleet's desired state: a plugin this node's
   * engine would not load is {@link Incompatible} here — not retried, not a failure of the fleet —
   * where an install through the API is refused.
   */
  Optional<Finding> beforeApply(Path staged, Path installed, Act act) throws ArchiveException {
    try {
      return beforeInstall(staged, installed, act);
    } catch (ArchiveException e) {
      if (assess(staged).status().equals(Finding.INCOMPATIBLE)) {
        throw new Incompatible(e.getMessage());
      }
      throw e;
    }
  }

  /** eKuiper's words for a failed load: {@code cannot open <path>: plugin.Open("…"): …}. */
  static String headline(Finding f, String abs) {
    Optional<String> loader = f.verdict().flatMap(v -> v.loaderMessage(abs));
    return "cannot open " + abs + ": " + loader.orElse(f.reason());
  }

  /** Size, modification time and file identity, or null when the file is missing. */
  private static Object stamp(Path file) {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return java.util.List.of(
          a.size(), a.lastModifiedTime().toMillis(), String.valueOf(a.fileKey()));
    } catch (IOException e) {
      return null;
    }
  }
}
