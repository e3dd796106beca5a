package dev.kpm.compat;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.testing.GoFixtures;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Damaged copies of the real plugin, made here: each must read as {@link Reading.Unknown} with a
 * reason, quickly, and never throw or exhaust memory.
 */
class MalformedElfTest {
  private static byte[] plugin;
  private static long shoff;
  private static int shentsize;
  private static int dynsymIndex;
  private static int dynstrIndex;

  @TempDir Path dir;

  @BeforeAll
  static void readThePlugin() throws Exception {
    Path source = GoFixtures.get(GoFixtures.PLUGIN_OK);
    plugin = Files.readAllBytes(source);
    ByteBuffer b = le(plugin);
    shoff = b.getLong(40);
    shentsize = b.getShort(58);
    try (ElfFile elf = ElfFile.open(source)) {
      ElfSection dynsym = elf.sectionOfType(ElfSection.SHT_DYNSYM).orElseThrow();
      dynsymIndex = dynsym.index();
      dynstrIndex = dynsym.link();
    }
  }

  @Test
  void anEmptyFileIsUnknown() throws Exception {
    assertUnknown(write(new byte[0]), "too short to be ELF");
  }

  @ParameterizedTest
  @ValueSource(ints = {4, 16, 40, 63, 64, 200, 4096, 100_000, 700_000})
  void aTruncatedPluginIsUnknown(int length) throws Exception {
    assertUnknown(write(Arrays.copyOf(plugin, length)), "");
  }

  @Test
  void aPluginCutInsideItsSectionHeadersIsUnknown() throws Exception {
    assertUnknown(write(Arrays.copyOf(plugin, plugin.length - 1)), "section header table");
  }

  @Test
  void aSectionHeaderOffsetPastTheEndIsUnknown() throws Exception {
    assertUnknown(patched(b -> b.putLong(40, plugin.length + 1000L)), "section header table");
  }

  @Test
  void aNegativeSectionHeaderOffsetIsUnknown() throws Exception {
    assertUnknown(patched(b -> b.putLong(40, -8L)), "section header table");
  }

  @Test
  void aLyingSectionCountIsUnknown() throws Exception {
    assertUnknown(patched(b -> b.putShort(60, (short) 0xfeff)), "section headers");
  }

  @Test
  void anExtendedSectionCountThatIsHugeIsUnknown() throws Exception {
    assertUnknown(
        patched(
            b -> {
              b.putShort(60, (short) 0);
              b.putLong((int) shoff + 32, Long.MAX_VALUE);
            }),
        "section headers");
  }

  @Test
  void aZeroSectionHeaderEntrySizeIsUnknown() throws Exception {
    assertUnknown(patched(b -> b.putShort(58, (short) 0)), "entry size");
  }

  @Test
  void aLyingProgramHeaderCountIsUnknown() throws Exception {
    assertUnknown(patched(b -> b.putShort(56, (short) 0xffff)), "program headers");
  }

  @Test
  void aHugeDynsymSizeIsUnknown() throws Exception {
    assertUnknown(patched(b -> b.putLong(sectionField(dynsymIndex, 32), 1L << 62)), "");
  }

  @Test
  void aDynsymSizeOfMoreSymbolsThanTheCapIsUnknown() throws Exception {
    long size = (ElfFile.MAX_SYMBOLS + 1) * 24;
    assertUnknown(patched(b -> b.putLong(sectionField(dynsymIndex, 32), size)), "");
  }

  @Test
  void aDynsymPointingOutOfTheFileIsUnknown() throws Exception {
    assertUnknown(
        patched(b -> b.putLong(sectionField(dynsymIndex, 24), plugin.length + 4096L)),
        "outside the file");
  }

  @Test
  void aStringTableWithoutTerminatorIsUnknown() throws Exception {
    assertUnknown(
        patched(
            b -> {
              long offset = b.getLong(sectionField(dynstrIndex, 24));
              long size = b.getLong(sectionField(dynstrIndex, 32));
              for (long i = offset; i < offset + size; i++) {
                b.put((int) i, (byte) 'A');
              }
            }),
        "NUL terminator");
  }

  @Test
  void aSymbolNameOffsetPastItsStringTableIsUnknown() throws Exception {
    assertUnknown(
        patched(
            b -> {
              long offset = b.getLong(sectionField(dynsymIndex, 24));
              b.putInt((int) offset + 24 * 3, Integer.MAX_VALUE);
            }),
        "symbol name offset outside");
  }

  @Test
  void aHugeSymbolSizeIsUnknownNotAnAllocation() throws Exception {
    byte[] copy = plugin.clone();
    ByteBuffer b = le(copy);
    long offset = b.getLong(sectionField(dynsymIndex, 24));
    long size = b.getLong(sectionField(dynsymIndex, 32));
    Path file;
    try (ElfFile elf = ElfFile.open(GoFixtures.get(GoFixtures.PLUGIN_OK))) {
      ElfSymbol s =
          elf.symbols(elf.sections().get(dynsymIndex), "go.link.pkghashbytes.")
              .values()
              .iterator()
              .next();
      assertTrue(s.index() * 24L < size);
      b.putLong((int) (offset + s.index() * 24L + 16), Long.MAX_VALUE);
      file = write(copy);
    }
    assertUnknown(file, "bytes");
  }

  @Test
  void aFifoIsUnknownWithoutWaitingForAWriter() throws Exception {
    Path fifo = dir.resolve("pipe.so");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertTrue(mkfifo.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
    assertTrue(mkfifo.exitValue() == 0 && Files.exists(fifo));
    assertUnknown(fifo, "not a regular file");
  }

  @Test
  void aDirectoryIsUnknown() {
    assertUnknown(dir, "not a regular file");
  }

  @Test
  void theUndamagedCopyIsReadSoTheDamageIsWhatMakesTheOthersUnknown() throws Exception {
    Reading r = GoBinaries.read(write(plugin));
    assertTrue(assertInstanceOf(Reading.Read.class, r).binary().goPlugin());
  }

  private int sectionField(int index, int field) {
    return (int) (shoff + (long) index * shentsize + field);
  }

  private Path patched(Consumer<ByteBuffer> patch) throws Exception {
    byte[] copy = plugin.clone();
    patch.accept(le(copy));
    return write(copy);
  }

  private Path write(byte[] bytes) throws Exception {
    Path file = Files.createTempFile(dir, "broken", ".so");
    Files.write(file, bytes);
    return file;
  }

  private static void assertUnknown(Path file, String reasonPart) {
    long start = System.nanoTime();
    Reading r = GoBinaries.read(file);
    long millis = (System.nanoTime() - start) / 1_000_000;
    Reading.Unknown unknown = assertInstanceOf(Reading.Unknown.class, r, () -> r.toString());
    assertFalse(unknown.reason().isBlank());
    assertTrue(unknown.reason().contains(reasonPart), unknown::reason);
    assertTrue(millis < 1000, () -> "took " + millis + " ms: " + unknown.reason());
  }

  private static ByteBuffer le(byte[] bytes) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }
}
