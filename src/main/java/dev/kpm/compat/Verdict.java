package dev.kpm.compat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The answer of {@link Compatibility#check}: whether {@code plugin.Open} in the engine would accept
 * the plugin, and why not. Plain data; the REST layer shapes it.
 *
 * @param reason why the status is {@code unknown} (empty otherwise)
 * @param differingPackages packages whose fingerprints differ, in the loader's order
 * @param firstDiffering the package the real loader names: the first of {@code differingPackages}
 * @param toolchainDiffers {@code runtime} differs: the plugin was built by another Go toolchain, or
 *     the standard library was compiled differently ({@code -trimpath} changes every package)
 * @param engineModules for each differing package, the engine's module holding it (from its build
 *     info, {@code path version [=> replacement]}), when known
 * @param libcMismatch e.g. {@code plugin needs musl libc, eKuiper uses glibc}
 * @param missingLibrary the DT_NEEDED entry of the plugin that the engine's C library lacks
 * @param architectureMismatch e.g. {@code plugin is built for arm64, eKuiper runs on amd64}
 */
public record Verdict(
    Status status,
    String reason,
    List<String> differingPackages,
    Optional<String> firstDiffering,
    boolean toolchainDiffers,
    Optional<String> engineGoVersion,
    Optional<String> pluginGoVersion,
    Map<String, String> engineModules,
    Libc engineLibc,
    Libc pluginLibc,
    Optional<String> libcMismatch,
    Optional<String> missingLibrary,
    Optional<String> architectureMismatch) {

  /** The three outcomes; {@link #label()} is the wire name. */
  public enum Status {
    COMPATIBLE,
    INCOMPATIBLE,
    UNKNOWN;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public Verdict {
    differingPackages = List.copyOf(differingPackages);
    engineModules = Collections.unmodifiableMap(new LinkedHashMap<>(engineModules));
  }

  static Verdict unknown(String reason, Optional<String> architectureMismatch) {
    return new Verdict(
        Status.UNKNOWN,
        reason,
        List.of(),
        Optional.empty(),
        false,
        Optional.empty(),
        Optional.empty(),
        Map.of(),
        Libc.UNKNOWN,
        Libc.UNKNOWN,
        Optional.empty(),
        Optional.empty(),
        architectureMismatch);
  }

  public boolean compatible() {
    return status == Status.COMPATIBLE;
  }

  /**
   * The error text {@code plugin.Open(soPath)} in the engine would return, when it would fail: the
   * dynamic linker's for a C library the engine lacks (checked first), else the runtime's for the
   * first differing package. Like the loader, a {@code .so} suffix is dropped for the latter.
   */
  public Optional<String> loaderMessage(String soPath) {
    if (missingLibrary.isPresent()) {
      String lib = missingLibrary.get();
      String dlerror =
          engineLibc == Libc.MUSL
              ? "Error loading shared library "
                  + lib
                  + ": No such file or directory (needed by "
                  + soPath
                  + ")"
              : lib + ": cannot open shared object file: No such file or directory";
      return Optional.of("plugin.Open(\"" + soPath + "\"): " + dlerror);
    }
    return firstDiffering.map(
        pkg -> {
          String name =
              soPath.endsWith(".so") && soPath.length() > 3
                  ? soPath.substring(0, soPath.length() - 3)
                  : soPath;
          return "plugin.Open(\""
              + name
              + "\"): plugin was built with a different version of"
              + " package "
              + pkg;
        });
  }

  /** Everything found, for people: each reason on its own sentence. */
  public String detail() {
    if (status == Status.UNKNOWN) {
      return reason;
    }
    List<String> parts = new ArrayList<>();
    libcMismatch.ifPresent(parts::add);
    firstDiffering.ifPresent(
        pkg ->
            parts.add(
                "plugin was built with a different version of package "
                    + pkg
                    + Optional.ofNullable(engineModules.get(pkg))
                        .map(m -> " (eKuiper has " + m + ")")
                        .orElse("")));
    if (differingPackages.size() > 1) {
      parts.add("differing packages in loader order: " + String.join(", ", differingPackages));
    }
    if (toolchainDiffers) {
      parts.add(
          "package runtime differs: the plugin was built with another Go toolchain or with"
              + " other compiler flags such as -trimpath (eKuiper: "
              + engineGoVersion.orElse("unknown Go version")
              + ", plugin: "
              + pluginGoVersion.orElse("unknown Go version")
              + ")");
    }
    if (parts.isEmpty()) {
      return "every package the plugin shares with eKuiper matches";
    }
    return String.join("; ", parts);
  }
}
