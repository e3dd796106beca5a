package dev.kpm.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hand-made big-endian ELF32 program without section headers whose build info is in the pre-1.18
 * pointer format, found by scanning its writable segment: the paths the Go fixtures (little-endian
 * ELF64, inline build info in {@code .go.buildinfo}) do not take.
 */
class SyntheticElfTest {
  private static final int BASE = 0x10000;

  @TempDir Path dir;

  @Test
  void aBigEndianElf32WithOldStyleBuildInfoIsRead() throws Exception {
    String text =
        "path\texample.com/old\n"
            + "mod\texample.com/old\t(devel)\t\n"
            + "dep\tgolang.org/x/sys\tv0.1.0\th1:abc=\n"
            + "=>\t../sys\t\t\n"
            + "build\t-ldflags=\"-s -w\"\n";
    String modinfo = "0123456789abcdef" + text + "fedcba9876543210";
    byte[] version = "go1.17.3".getBytes(StandardCharsets.UTF_8);
    byte[] mod = modinfo.getBytes(StandardCharsets.UTF_8);
    int versionAt = 144;
    int modAt = versionAt + version.length;
    int total = modAt + mod.length;
    ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.BIG_ENDIAN);
    b.put(new byte[] {0x7f, 'E', 'L', 'F', 1, 2, 1, 0});
    b.putShort(16, (short) ElfFile.ET_EXEC);
    b.putShort(18, (short) 8); // EM_MIPS
    b.putInt(20, 1);
    b.putInt(28, 52); // e_phoff
    b.putInt(32, 0); // e_shoff: no section headers
    b.putShort(40, (short) 52);
    b.putShort(42, (short) 32); // e_phentsize
    b.putShort(44, (short) 1); // e_phnum
    b.putShort(46, (short) 40);
    // PT_LOAD, read-write, the whole file at BASE
    b.putInt(52, ElfSegment.PT_LOAD);
    b.putInt(56, 0);
    b.putInt(60, BASE);
    b.putInt(64, BASE);
    b.putInt(68, total);
    b.putInt(72, total);
    b.putInt(76, 6);
    b.putInt(80, 16);
    b.put(96, BuildInfoReader.MAGIC);
    b.put(96 + 14, (byte) 4); // pointer size
    b.put(96 + 15, (byte) 1); // big-endian, old pointer format
    b.putInt(96 + 16, BASE + 128); // -> version string header
    b.putInt(96 + 20, BASE + 136); // -> modinfo string header
    b.putInt(128, BASE + versionAt);
    b.putInt(132, version.length);
    b.putInt(136, BASE + modAt);
    b.putInt(140, mod.length);
    b.put(versionAt, version);
    b.put(modAt, mod);
    Path file = dir.resolve("old-mips");
    Files.write(file, b.array());

    GoBinary bin = assertInstanceOf(Reading.Read.class, GoBinaries.read(file)).binary();
    assertEquals(32, bin.elfClass());
    assertEquals(true, bin.bigEndian());
    assertEquals("mips", bin.architecture());
    assertEquals(BinaryKind.EXECUTABLE, bin.kind());
    assertEquals(Libc.NONE, bin.libc());
    assertEquals(Map.of(), bin.fingerprints());
    assertFalse(bin.pluginCapableHost());
    BuildInfo info = bin.buildInfo().orElseThrow();
    assertEquals("go1.17.3", info.goVersion());
    assertEquals("example.com/old", info.mainPath());
    assertEquals(
        List.of(
            new GoModule(
                "golang.org/x/sys",
                "v0.1.0",
                "h1:abc=",
                Optional.of(new GoModule("../sys", "", "", Optional.empty())))),
        info.deps());
    assertEquals("golang.org/x/sys v0.1.0 => ../sys", info.deps().get(0).describe());
    assertEquals(Optional.of("-s -w"), info.setting("-ldflags"));
    assertEquals(
        Optional.of("golang.org/x/sys"),
        info.moduleOf("golang.org/x/sys/unix").map(GoModule::path));
  }
}
