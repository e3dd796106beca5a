package dev.kpm.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The texts a {@link Verdict} gives: the loader's message and the detail. */
class VerdictTest {

  @Test
  void thePackageMessageDropsASoSuffixAsTheLoaderDoes() {
    Verdict v = differing(List.of("example.com/a", "runtime"));
    assertEquals(
        Optional.of(
            "plugin.Open(\"/p/x\"): plugin was built with a different version of package"
                + " example.com/a"),
        v.loaderMessage("/p/x.so"));
    assertEquals(
        Optional.of(
            "plugin.Open(\"/p/x.so.1\"): plugin was built with a different version of package"
                + " example.com/a"),
        v.loaderMessage("/p/x.so.1"));
  }

  @Test
  void aGlibcPluginInAMuslEngineGetsMuslsDlopenMessage() {
    Verdict v =
        new Verdict(
            Verdict.Status.INCOMPATIBLE,
            "",
            List.of(),
            Optional.empty(),
            false,
            Optional.empty(),
            Optional.empty(),
            Map.of(),
            Libc.MUSL,
            Libc.GLIBC,
            Optional.of("plugin needs glibc, eKuiper uses musl libc"),
            Optional.of("libc.so.6"),
            Optional.empty());
    assertEquals(
        Optional.of(
            "plugin.Open(\"/p/x.so\"): Error loading shared library libc.so.6: No such file or"
                + " directory (needed by /p/x.so)"),
        v.loaderMessage("/p/x.so"));
    assertEquals("plugin needs glibc, eKuiper uses musl libc", v.detail());
  }

  @Test
  void theDetailListsTheModuleEveryDifferenceAndTheToolchain() {
    Verdict v = differing(List.of("example.com/a", "runtime"));
    assertEquals(
        "plugin was built with a different version of package example.com/a (eKuiper has"
            + " example.com/a v1.2.0); differing packages in loader order: example.com/a, runtime;"
            + " package runtime differs: the plugin was built with another Go toolchain or with"
            + " other compiler flags such as -trimpath (eKuiper: go1.19.8, plugin: unknown Go"
            + " version)",
        v.detail());
  }

  @Test
  void anUnknownVerdictHasNoLoaderMessageAndItsReasonAsDetail() {
    Verdict v = Verdict.unknown("x.so is not a Go plugin", Optional.empty());
    assertEquals(Optional.empty(), v.loaderMessage("x.so"));
    assertEquals("x.so is not a Go plugin", v.detail());
    assertEquals("unknown", v.status().label());
  }

  private static Verdict differing(List<String> packages) {
    return new Verdict(
        Verdict.Status.INCOMPATIBLE,
        "",
        packages,
        Optional.of(packages.get(0)),
        packages.contains("runtime"),
        Optional.of("go1.19.8"),
        Optional.empty(),
        Map.of("example.com/a", "example.com/a v1.2.0"),
        Libc.GLIBC,
        Libc.GLIBC,
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }
}
