package dev.kpm.compat;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code go version -m} shows of a binary: the Go version and the module information ({@code
 * runtime/debug.BuildInfo}): main package path, main module, dependencies with their replacements,
 * and the build settings in order (e.g. {@code -trimpath}, {@code -tags}, {@code CGO_ENABLED},
 * {@code GOARCH}, {@code vcs.revision}).
 */
public record BuildInfo(
    String goVersion,
    String mainPath,
    Optional<GoModule> mainModule,
    List<GoModule> deps,
    Map<String, String> settings) {

  public BuildInfo {
    deps = List.copyOf(deps);
    settings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
  }

  /** The module (main or dependency) that holds package {@code pkg}: the longest matching path. */
  public Optional<GoModule> moduleOf(String pkg) {
    return java.util.stream.Stream.concat(mainModule.stream(), deps.stream())
        .filter(m -> m.contains(pkg))
        .max(Comparator.comparingInt(m -> m.path().length()));
  }

  public Optional<String> setting(String key) {
    return Optional.ofNullable(settings.get(key));
  }
}
