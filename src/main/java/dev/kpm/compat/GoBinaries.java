package dev.kpm.compat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads a file into a {@link GoBinary}: ELF header, interpreter, DT_NEEDED, build info, and the
 * package fingerprints the Go linker exports in {@code .dynsym} for plugins and plugin-capable
 * hosts ({@code go.link.pkghashbytes.<pkg>}, {@code go:link.} from Go 1.20).
 *
 * <p>The loader's order of a plugin's packages is recovered from its dynamic relocations: each
 * entry of the plugin's local {@code go.link.pkghashes} array ends with a pointer to {@code
 * go.link.pkghash.<pkg>}, left to the dynamic linker (so that it resolves to the host's symbol), so
 * the absolute relocations against those symbols, sorted by the address they patch, are the array's
 * order. This survives {@code -ldflags=-s -w}.
 */
public final class GoBinaries {
  static final int MAX_FINGERPRINT = 64;
  private static final String[] HASH_PREFIXES = {"go.link.pkghash.", "go:link.pkghash."};
  private static final String[] BYTES_PREFIXES = {"go.link.pkghashbytes.", "go:link.pkghashbytes."};

  private GoBinaries() {}

  /** Reads {@code file}; never throws: anything unreadable is {@link Reading.Unknown}. */
  public static Reading read(Path file) {
    if (!Files.isRegularFile(file)) { // a FIFO or a device could block or never end
      return new Reading.Unknown(file.getFileName() + ": not a regular file");
    }
    try (ElfFile elf = ElfFile.open(file)) {
      return new Reading.Read(binary(elf));
    } catch (MalformedElfException e) {
      return new Reading.Unknown(file.getFileName() + ": " + e.getMessage());
    } catch (IOException e) {
      return new Reading.Unknown(file.getFileName() + ": cannot read the file (" + e + ")");
    } catch (RuntimeException e) {
      return new Reading.Unknown(file.getFileName() + ": unreadable ELF structures (" + e + ")");
    }
  }

  private static GoBinary binary(ElfFile elf) throws IOException, MalformedElfException {
    Optional<String> interpreter = elf.interpreter();
    List<String> needed = elf.needed();
    BinaryKind kind =
        elf.type() == ElfFile.ET_EXEC || (elf.type() == ElfFile.ET_DYN && interpreter.isPresent())
            ? BinaryKind.EXECUTABLE
            : elf.type() == ElfFile.ET_DYN ? BinaryKind.SHARED_OBJECT : BinaryKind.OTHER;
    Map<String, String> fingerprints = new TreeMap<>();
    List<String> order = List.of();
    Optional<ElfSection> dynsym = elf.sectionOfType(ElfSection.SHT_DYNSYM);
    if (dynsym.isPresent()) {
      Map<Integer, ElfSymbol> symbols =
          elf.symbols(dynsym.get(), "go.link.pkghash", "go:link.pkghash");
      for (ElfSymbol s : symbols.values()) {
        String pkg = strip(s.name(), BYTES_PREFIXES);
        if (pkg != null) {
          if (s.size() <= 0 || s.size() > MAX_FINGERPRINT) {
            throw new MalformedElfException(s.name() + " has " + s.size() + " bytes");
          }
          fingerprints.put(pkg, HexFormat.of().formatHex(elf.bytesAt(s.value(), (int) s.size())));
        }
      }
      if (kind == BinaryKind.SHARED_OBJECT) {
        order = loaderOrder(elf, dynsym.get(), symbols);
      }
    }
    Map<String, String> ordered = new LinkedHashMap<>();
    for (String pkg : order) {
      if (fingerprints.containsKey(pkg)) {
        ordered.put(pkg, fingerprints.get(pkg));
      }
    }
    boolean orderKnown = ordered.size() == fingerprints.size();
    ordered.putAll(fingerprints); // packages without a known place keep the name order, after
    Optional<BuildInfo> buildInfo;
    try {
      buildInfo = BuildInfoReader.read(elf);
    } catch (MalformedElfException e) {
      buildInfo = Optional.empty(); // the fingerprints decide; a broken version is only detail
    }
    boolean hasFingerprints = !fingerprints.isEmpty();
    return new GoBinary(
        elf.path(),
        elf.is64() ? 64 : 32,
        elf.byteOrder() == java.nio.ByteOrder.BIG_ENDIAN,
        elf.machine(),
        elf.osAbi(),
        kind,
        interpreter,
        needed,
        Libc.classify(interpreter, needed),
        buildInfo,
        ordered,
        hasFingerprints && orderKnown && !order.isEmpty(),
        kind == BinaryKind.SHARED_OBJECT && hasFingerprints && !order.isEmpty(),
        kind == BinaryKind.EXECUTABLE && hasFingerprints);
  }

  /** Package paths in the order of the relocations against {@code go.link.pkghash.<pkg>}. */
  private static List<String> loaderOrder(
      ElfFile elf, ElfSection dynsym, Map<Integer, ElfSymbol> symbols)
      throws IOException, MalformedElfException {
    Map<Integer, String> hashSymbols = new java.util.HashMap<>();
    for (ElfSymbol s : symbols.values()) {
      String pkg = strip(s.name(), HASH_PREFIXES);
      if (pkg != null) {
        hashSymbols.put(s.index(), pkg);
      }
    }
    if (hashSymbols.isEmpty()) {
      return List.of();
    }
    Set<Integer> absolute = AbsoluteRelocations.types(elf.machine(), elf.is64());
    List<ElfRelocation> found = new ArrayList<>();
    for (ElfSection s : elf.sections()) {
      boolean relocations = s.type() == ElfSection.SHT_RELA || s.type() == ElfSection.SHT_REL;
      if (relocations && s.link() == dynsym.index()) {
        for (ElfRelocation r : elf.relocations(s, hashSymbols.keySet())) {
          if (absolute.isEmpty() || absolute.contains(r.type())) {
            found.add(r);
          }
        }
      }
    }
    found.sort(Comparator.comparingLong(ElfRelocation::offset));
    List<String> order = new ArrayList<>();
    for (ElfRelocation r : found) {
      String pkg = hashSymbols.get(r.symbolIndex());
      if (!order.contains(pkg)) {
        order.add(pkg);
      }
    }
    return order;
  }

  private static String strip(String name, String[] prefixes) {
    for (String prefix : prefixes) {
      if (name.startsWith(prefix) && name.length() > prefix.length()) {
        return name.substring(prefix.length());
      }
    }
    return null;
  }
}
