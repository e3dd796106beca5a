package dev.kpm.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.testing.GoFixtures;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What {@link GoBinaries#read} finds in the real Go, C and text fixtures. */
class GoBinariesTest {

  @ParameterizedTest
  @ValueSource(strings = {GoFixtures.HOST, GoFixtures.HOST_STRIPPED})
  void theHostsBuildInfoNamesItsGoVersionAndTheReplacedKpmlib(String name) {
    GoBinary host = Fixtures.binary(name);
    BuildInfo info = host.buildInfo().orElseThrow();
    assertTrue(info.goVersion().matches("go1\\.19\\.\\d+"), info.goVersion());
    assertEquals("example.com/host", info.mainPath());
    assertEquals("example.com/host", info.mainModule().orElseThrow().path());
    GoModule kpmlib = info.moduleOf("example.com/kpmlib").orElseThrow();
    assertEquals("example.com/kpmlib", kpmlib.path());
    assertEquals("v1.0.0", kpmlib.version());
    assertEquals("../kpmlib-v1", kpmlib.replacedBy().orElseThrow().path());
    assertEquals(Optional.of("1"), info.setting("CGO_ENABLED"));
    assertEquals(Optional.of("amd64"), info.setting("GOARCH"));
    assertEquals(Optional.of("linux"), info.setting("GOOS"));
    if (name.equals(GoFixtures.HOST_STRIPPED)) {
      assertEquals(Optional.of("-s -w"), info.setting("-ldflags"));
    }
  }

  @Test
  void theHostIsAPluginCapableGlibcExecutable() {
    GoBinary host = Fixtures.binary(GoFixtures.HOST);
    assertEquals(BinaryKind.EXECUTABLE, host.kind());
    assertTrue(host.pluginCapableHost());
    assertFalse(host.goPlugin());
    assertEquals(Optional.of("/lib64/ld-linux-x86-64.so.2"), host.interpreter());
    assertEquals(Libc.GLIBC, host.libc());
    assertEquals("amd64", host.architecture());
    assertTrue(host.fingerprints().containsKey("plugin"), host.fingerprints().keySet()::toString);
    assertTrue(host.fingerprints().get("runtime").matches("[0-9a-f]{16}"));
  }

  @Test
  void strippingTheHostKeepsEveryFingerprint() {
    assertEquals(
        Fixtures.binary(GoFixtures.HOST).fingerprints(),
        Fixtures.binary(GoFixtures.HOST_STRIPPED).fingerprints());
  }

  @Test
  void aPluginIsASharedObjectWithoutBuildInfoNeedingGlibc() {
    GoBinary plugin = Fixtures.binary(GoFixtures.PLUGIN_OK);
    assertEquals(BinaryKind.SHARED_OBJECT, plugin.kind());
    assertTrue(plugin.goPlugin());
    assertFalse(plugin.pluginCapableHost());
    assertEquals(Optional.empty(), plugin.interpreter());
    assertTrue(plugin.needed().contains("libc.so.6"), plugin.needed()::toString);
    assertEquals(Libc.GLIBC, plugin.libc());
    assertEquals(Optional.empty(), plugin.buildInfo());
    assertTrue(plugin.loaderOrderKnown());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        GoFixtures.PLUGIN_OK,
        GoFixtures.PLUGIN_MODULE,
        GoFixtures.PLUGIN_TOOLCHAIN,
        GoFixtures.PLUGIN_TRIMPATH,
        GoFixtures.PLUGIN_TAG
      })
  void theLoaderOrderFromRelocationsIsThePkghashesArrayOfTheSymbolTable(String name)
      throws Exception {
    List<String> truth = pkghashesNames(name);
    assertTrue(truth.size() > 10, truth::toString);
    assertEquals(truth, List.copyOf(Fixtures.binary(name).fingerprints().keySet()));
  }

  @Test
  void strippingThePluginKeepsItsFingerprintsAndTheirOrder() {
    GoBinary ok = Fixtures.binary(GoFixtures.PLUGIN_OK);
    GoBinary stripped = Fixtures.binary(GoFixtures.PLUGIN_STRIPPED);
    assertTrue(stripped.goPlugin());
    assertTrue(stripped.loaderOrderKnown());
    assertEquals(
        List.copyOf(ok.fingerprints().entrySet()), List.copyOf(stripped.fingerprints().entrySet()));
  }

  @Test
  void aPackageWhosePlaceIsNotFoundComesAfterTheKnownOnes(@TempDir Path dir) throws Exception {
    Path source = GoFixtures.get(GoFixtures.PLUGIN_OK);
    byte[] bytes = Files.readAllBytes(source);
    int kpmlib;
    ElfSection rela;
    try (ElfFile elf = ElfFile.open(source)) {
      ElfSection dynsym = elf.sectionOfType(ElfSection.SHT_DYNSYM).orElseThrow();
      kpmlib =
          elf.symbols(dynsym, "go.link.pkghash.example.com/kpmlib").values().stream()
              .filter(x -> x.name().equals("go.link.pkghash.example.com/kpmlib"))
              .findFirst()
              .orElseThrow()
              .index();
      rela = elf.section(".rela.dyn").orElseThrow();
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int patched = 0;
    for (long at = rela.offset(); at + 24 <= rela.offset() + rela.size(); at += 24) {
      if (b.getLong((int) at + 8) >>> 32 == kpmlib) {
        b.putLong((int) at + 8, (long) kpmlib << 32); // R_X86_64_NONE: no longer an address
        patched++;
      }
    }
    assertEquals(1, patched);
    Path file = dir.resolve("no-place.so");
    Files.write(file, bytes);

    GoBinary plugin = assertInstanceOf(Reading.Read.class, GoBinaries.read(file)).binary();
    assertTrue(plugin.goPlugin());
    assertFalse(plugin.loaderOrderKnown());
    List<String> expected = new ArrayList<>(pkghashesNames(GoFixtures.PLUGIN_OK));
    expected.remove("example.com/kpmlib");
    expected.add("example.com/kpmlib");
    assertEquals(expected, List.copyOf(plugin.fingerprints().keySet()));
  }

  @Test
  void thePatchedPluginNeedsMusl() {
    GoBinary musl = Fixtures.binary(GoFixtures.PLUGIN_MUSL);
    assertTrue(musl.needed().contains("libc.musl-x86_64.so.1"), musl.needed()::toString);
    assertEquals(Libc.MUSL, musl.libc());
    assertTrue(musl.goPlugin());
  }

  @Test
  void aCSharedObjectIsReadButIsNeitherPluginNorHost() {
    GoBinary c = Fixtures.binary(GoFixtures.C_LIB);
    assertEquals(BinaryKind.SHARED_OBJECT, c.kind());
    assertFalse(c.goPlugin());
    assertFalse(c.pluginCapableHost());
    assertEquals(Map.of(), c.fingerprints());
    assertEquals(Libc.GLIBC, c.libc());
  }

  @Test
  void aTextFileNamedSoIsUnknownBecauseItIsNotElf() {
    Reading r = GoBinaries.read(GoFixtures.get(GoFixtures.TEXT));
    Reading.Unknown unknown = assertInstanceOf(Reading.Unknown.class, r);
    assertEquals("text.so: not an ELF file (no \\x7fELF magic)", unknown.reason());
  }

  /**
   * The ground truth: the unstripped plugin's local symbols go.link.pkgname.0, .1, … hold the names
   * of the pkghashes array's entries in order.
   */
  private static List<String> pkghashesNames(String name) throws Exception {
    try (ElfFile elf = ElfFile.open(GoFixtures.get(name))) {
      ElfSection symtab = elf.sectionOfType(ElfSection.SHT_SYMTAB).orElseThrow();
      Map<Integer, ElfSymbol> symbols = elf.symbols(symtab, "go.link.pkgname.");
      String[] names = new String[symbols.size()];
      for (ElfSymbol s : symbols.values()) {
        int i = Integer.parseInt(s.name().substring("go.link.pkgname.".length()));
        names[i] = new String(elf.bytesAt(s.value(), (int) s.size()), StandardCharsets.UTF_8);
      }
      return new ArrayList<>(List.of(names));
    }
  }
}
