package dev.kpm.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.testing.GoFixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every plugin fixture checked in Java and opened by the real Go host: the two must agree. */
class CompatibilityTest {

  @ParameterizedTest(name = "{1} in {0}")
  @CsvSource({
    "host, plugin-ok.so",
    "host, plugin-module.so",
    "host, plugin-toolchain.so",
    "host, plugin-trimpath.so",
    "host, plugin-tag.so",
    "host, plugin-stripped.so",
    "host, plugin-musl.so",
    "host-stripped, plugin-ok.so",
    "host-stripped, plugin-module.so",
    "host-stripped, plugin-toolchain.so",
    "host-stripped, plugin-trimpath.so",
    "host-stripped, plugin-tag.so",
    "host-stripped, plugin-stripped.so",
    "host-stripped, plugin-musl.so"
  })
  void verdictAndMessageAreWhatTheRealLoaderSays(String host, String plugin) {
    Path so = GoFixtures.get(plugin);
    RealHost real = RealHost.open(host, so);
    Verdict verdict = Compatibility.check(Fixtures.binary(host), Fixtures.binary(plugin));

    assertEquals(real.loaded(), verdict.compatible(), () -> real + " vs " + verdict);
    if (real.loaded()) {
      assertEquals(Optional.empty(), verdict.loaderMessage(so.toString()));
      assertEquals(List.of(), verdict.differingPackages());
    } else {
      assertEquals(Verdict.Status.INCOMPATIBLE, verdict.status());
      assertEquals(
          Optional.ofNullable(real.namedPackage()), verdict.firstDiffering(), real::output);
      assertEquals(Optional.of(real.output()), verdict.loaderMessage(so.toString()));
    }
  }

  @Test
  void aPluginBuiltAlikeIsCompatible() {
    Verdict v = check(GoFixtures.PLUGIN_OK);
    assertEquals(Verdict.Status.COMPATIBLE, v.status());
    assertFalse(v.toolchainDiffers());
    assertEquals(Optional.empty(), v.libcMismatch());
    assertEquals("every package the plugin shares with eKuiper matches", v.detail());
  }

  @Test
  void aChangedModuleIsNamedWithTheEngineModuleVersion() {
    Verdict v = check(GoFixtures.PLUGIN_MODULE);
    assertEquals(Optional.of("example.com/kpmlib"), v.firstDiffering());
    assertEquals(List.of("example.com/kpmlib"), v.differingPackages());
    assertEquals(
        "example.com/kpmlib v1.0.0 => ../kpmlib-v1 (devel)",
        v.engineModules().get("example.com/kpmlib"));
    assertTrue(
        v.detail()
            .startsWith(
                "plugin was built with a different version of package example.com/kpmlib"
                    + " (eKuiper has example.com/kpmlib v1.0.0 => ../kpmlib-v1 (devel))"),
        v.detail());
    assertFalse(v.toolchainDiffers());
  }

  @Test
  void anotherToolchainDiffersInRuntimeAndSaysSo() {
    Verdict v = check(GoFixtures.PLUGIN_TOOLCHAIN);
    assertTrue(v.differingPackages().contains("runtime"), v.differingPackages()::toString);
    assertTrue(v.toolchainDiffers());
    assertTrue(v.engineGoVersion().orElseThrow().matches("go1\\.19\\.\\d+"), v::toString);
    assertTrue(v.detail().contains("another Go toolchain"), v.detail());
  }

  @Test
  void theFirstDifferenceIsTheLoadersFirstNotTheFirstByName() {
    Verdict v = check(GoFixtures.PLUGIN_TOOLCHAIN);
    List<String> byName = v.differingPackages().stream().sorted().toList();
    assertEquals(List.of("internal/abi", "runtime", "runtime/internal/atomic"), byName);
    String named = RealHost.open(GoFixtures.HOST, path(GoFixtures.PLUGIN_TOOLCHAIN)).namedPackage();
    assertEquals(Optional.of(named), v.firstDiffering());
    assertNotEquals(byName.get(0), named);
  }

  @Test
  void trimpathAndBuildTagsAreRejectedByTheHostButStrippingIsNot() {
    assertEquals(
        "example.com/kpmlib",
        RealHost.open(GoFixtures.HOST, path(GoFixtures.PLUGIN_TRIMPATH)).namedPackage());
    assertEquals(
        "example.com/kpmlib",
        RealHost.open(GoFixtures.HOST, path(GoFixtures.PLUGIN_TAG)).namedPackage());
    assertTrue(RealHost.open(GoFixtures.HOST, path(GoFixtures.PLUGIN_STRIPPED)).loaded());
    assertEquals(Verdict.Status.INCOMPATIBLE, check(GoFixtures.PLUGIN_TRIMPATH).status());
    assertEquals(Verdict.Status.INCOMPATIBLE, check(GoFixtures.PLUGIN_TAG).status());
    assertEquals(Verdict.Status.COMPATIBLE, check(GoFixtures.PLUGIN_STRIPPED).status());
  }

  @Test
  void aMuslPluginInAGlibcEngineIsALibcMismatchAndFailsInTheDynamicLinker() {
    Verdict v = check(GoFixtures.PLUGIN_MUSL);
    assertEquals(Verdict.Status.INCOMPATIBLE, v.status());
    assertEquals(Optional.of("plugin needs musl libc, eKuiper uses glibc"), v.libcMismatch());
    assertEquals(List.of(), v.differingPackages());
    assertEquals(Libc.GLIBC, v.engineLibc());
    assertEquals(Libc.MUSL, v.pluginLibc());
    assertTrue(v.detail().contains("plugin needs musl libc, eKuiper uses glibc"), v.detail());
    RealHost real = RealHost.open(GoFixtures.HOST, path(GoFixtures.PLUGIN_MUSL));
    assertTrue(
        real.output()
            .endsWith(
                "libc.musl-x86_64.so.1: cannot open shared object file: No such file or directory"),
        real.output());
  }

  @Test
  void aCSharedObjectIsUnknownAndCrashesTheRealHost() {
    Verdict v = check(GoFixtures.C_LIB);
    assertEquals(Verdict.Status.UNKNOWN, v.status());
    assertEquals(
        "c-lib.so is not a Go plugin (no package fingerprints for the loader)", v.reason());
    RealHost real = RealHost.open(GoFixtures.HOST, path(GoFixtures.C_LIB));
    assertEquals(2, real.exitCode());
    assertTrue(real.output().contains("runtime: no plugin module data"), real.output());
  }

  @Test
  void checkingPathsReadsBothAndAnUnreadablePluginIsUnknownWithItsReason() {
    assertEquals(
        Verdict.Status.COMPATIBLE,
        Compatibility.check(path(GoFixtures.HOST), path(GoFixtures.PLUGIN_OK)).status());
    Verdict v = Compatibility.check(path(GoFixtures.HOST), path(GoFixtures.TEXT));
    assertEquals(Verdict.Status.UNKNOWN, v.status());
    assertEquals("plugin text.so: not an ELF file (no \\x7fELF magic)", v.reason());
    assertEquals(Optional.empty(), v.loaderMessage("text.so"));
  }

  @Test
  void aPluginAsTheEngineIsUnknown() {
    Verdict v =
        Compatibility.check(
            Fixtures.binary(GoFixtures.PLUGIN_OK), Fixtures.binary(GoFixtures.PLUGIN_OK));
    assertEquals(Verdict.Status.UNKNOWN, v.status());
    assertEquals("plugin-ok.so is not a Go program that can load plugins", v.reason());
  }

  @Test
  void anotherArchitectureIsUnknownWithTheMismatchText() throws Exception {
    GoBinary engine = Fixtures.binary(GoFixtures.HOST);
    GoBinary plugin = Fixtures.binary(GoFixtures.PLUGIN_OK);
    GoBinary arm =
        new GoBinary(
            plugin.path(),
            64,
            false,
            183,
            0,
            plugin.kind(),
            plugin.interpreter(),
            plugin.needed(),
            plugin.libc(),
            plugin.buildInfo(),
            plugin.fingerprints(),
            true,
            true,
            false);
    Verdict v = Compatibility.check(engine, arm);
    assertEquals(Verdict.Status.UNKNOWN, v.status());
    assertEquals(
        Optional.of("plugin is built for arm64, eKuiper runs on amd64"), v.architectureMismatch());
  }

  private static Verdict check(String plugin) {
    return Compatibility.check(Fixtures.binary(GoFixtures.HOST), Fixtures.binary(plugin));
  }

  private static Path path(String name) {
    return GoFixtures.get(name);
  }
}
