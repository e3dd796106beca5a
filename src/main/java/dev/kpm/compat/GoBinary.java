package dev.kpm.compat;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One ELF file as the Go plugin loader sees it.
 *
 * <p>{@code fingerprints} maps each package path to its link-time fingerprint (hex) from the
 * exported {@code go.link.pkghashbytes.<pkg>} symbols. For a plugin the order is the loader's: the
 * order of the plugin's {@code go.link.pkghashes} array, in which {@code plugin.Open} compares and
 * names the first mismatch ({@code loaderOrderKnown} tells whether every package's place was found;
 * packages without one follow, by name). For a host the order is by name.
 *
 * @param goPlugin a shared object with package fingerprints and the pkghashes relocations
 * @param pluginCapableHost an executable that exports package fingerprints (it imports "plugin")
 */
public record GoBinary(
    Path path,
    int elfClass,
    boolean bigEndian,
    int machine,
    int osAbi,
    BinaryKind kind,
    Optional<String> interpreter,
    List<String> needed,
    Libc libc,
    Optional<BuildInfo> buildInfo,
    Map<String, String> fingerprints,
    boolean loaderOrderKnown,
    boolean goPlugin,
    boolean pluginCapableHost) {

  public GoBinary {
    needed = List.copyOf(needed);
    fingerprints = Collections.unmodifiableMap(new LinkedHashMap<>(fingerprints));
  }

  /** The Go version from build info ({@code go1.19.8}), when the file carries build info. */
  public Optional<String> goVersion() {
    return buildInfo.map(BuildInfo::goVersion).filter(v -> !v.isEmpty());
  }

  /** The architecture as Go names it ({@code amd64}, {@code arm64}, …), else {@code machine N}. */
  public String architecture() {
    return Machines.name(machine, elfClass);
  }
}
