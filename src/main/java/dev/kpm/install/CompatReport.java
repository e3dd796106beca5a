package dev.kpm.install;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kpm.compat.GoBinary;
import dev.kpm.compat.GoModule;
import dev.kpm.compat.Verdict;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /plugins/compat} (docs/api.md §8.10): the check's mode, the engine, and each installed
 * native plugin's verdict.
 *
 * @param check {@code enforce}, {@code warn} or {@code off} ({@code kpm.engine.check})
 * @param incompatible how many of the installed plugins the engine would not load
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompatReport(String check, Engine engine, int incompatible, List<Plugin> plugins) {

  /**
   * The eKuiper binary.
   *
   * @param status {@code read}, {@code unknown} (set but unusable: see {@code reason}) or {@code
   *     not-configured}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Engine(String path, String status, String reason, Binary binary) {}

  /**
   * What kpm read of one ELF file.
   *
   * @param packages how many package fingerprints it exports
   * @param modules the main module and dependencies from its Go build info ({@code path version [=>
   *     replacement]})
   * @param settings its Go build settings ({@code -trimpath}, {@code -tags}, {@code CGO_ENABLED}…)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Binary(
      String goVersion,
      String architecture,
      String libc,
      String interpreter,
      List<String> needed,
      boolean goPlugin,
      int packages,
      List<String> modules,
      Map<String, String> settings) {

    static Binary of(GoBinary b) {
      return new Binary(
          b.goVersion().orElse(null),
          b.architecture(),
          b.libc().label(),
          b.interpreter().orElse(null),
          b.needed(),
          b.goPlugin(),
          b.fingerprints().size(),
          b.buildInfo()
              .map(
                  i ->
                      java.util.stream.Stream.concat(i.mainModule().stream(), i.deps().stream())
                          .map(GoModule::describe)
                          .toList())
              .orElse(null),
          b.buildInfo().map(i -> i.settings()).orElse(null));
    }
  }

  /**
   * One installed native plugin.
   *
   * @param file its {@code .so}, relative to the home folder
   * @param status {@code compatible}, {@code incompatible}, {@code unknown} or {@code not-checked}
   * @param message eKuiper's load failure as the engine would report it (incompatible only)
   * @param detail everything kpm found: each differing package, the engine's module version, a
   *     toolchain or C library difference; or why the verdict is unknown
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Plugin(
      String type,
      String name,
      String version,
      String file,
      String status,
      String message,
      String detail,
      List<String> differingPackages,
      Boolean toolchainDiffers,
      String libcMismatch,
      Binary plugin,
      Engine engine) {

    static Plugin of(
        String type,
        String name,
        String version,
        String file,
        String abs,
        EngineCheck.Finding f,
        Engine engine) {
      Verdict v = f.verdict().orElse(null);
      return new Plugin(
          type,
          name,
          version,
          file,
          f.status(),
          f.status().equals("incompatible") ? EngineCheck.headline(f, abs) : null,
          f.reason().isEmpty() ? null : f.reason(),
          v == null ? null : v.differingPackages(),
          v == null ? null : v.toolchainDiffers(),
          v == null ? null : v.libcMismatch().orElse(null),
          f.plugin().map(Binary::of).orElse(null),
          engine);
    }

    /** This plugin without the binaries, for the listing. */
    Plugin brief() {
      return new Plugin(
          type,
          name,
          version,
          file,
          status,
          message,
          detail,
          differingPackages,
          toolchainDiffers,
          libcMismatch,
          null,
          null);
    }
  }
}
