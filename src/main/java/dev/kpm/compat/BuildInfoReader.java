package dev.kpm.compat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds and decodes Go build info as {@code debug/buildinfo} does: the {@code .go.buildinfo}
 * section, or the 14-byte magic at a 16-aligned address of a writable segment; the inline format of
 * Go 1.18+ or the older pointer format; then the module lines between modinfo's sentinels. Plugins
 * carry none (the Go linker leaves it out of {@code -buildmode=plugin}).
 */
final class BuildInfoReader {
  static final byte[] MAGIC = "\u00ff Go buildinf:".getBytes(StandardCharsets.ISO_8859_1);
  static final int MAX_INFO = 1 << 20;
  private static final long MAX_SCAN = 64L << 20;
  private static final int SCAN_CHUNK = 1 << 20;

  private BuildInfoReader() {}

  static Optional<BuildInfo> read(ElfFile elf) throws IOException, MalformedElfException {
    Optional<Long> at = locate(elf);
    if (at.isEmpty()) {
      return Optional.empty();
    }
    long offset = at.get();
    byte[] header = elf.read(offset, 32);
    int ptrSize = header[14];
    int flags = header[15];
    String version;
    String modinfo;
    if ((flags & 2) != 0) {
      long avail = Math.min(MAX_INFO, elf.length() - offset - 32);
      ByteBuffer data = ByteBuffer.wrap(elf.read(offset + 32, (int) Math.max(0, avail)));
      version = uvarintString(data);
      modinfo = uvarintString(data);
    } else {
      if (ptrSize != 4 && ptrSize != 8) {
        throw new MalformedElfException("build info pointer size " + ptrSize);
      }
      ByteBuffer h =
          ByteBuffer.wrap(header)
              .order(
                  (flags & 1) != 0
                      ? java.nio.ByteOrder.BIG_ENDIAN
                      : java.nio.ByteOrder.LITTLE_ENDIAN);
      version = goString(elf, h, 16, ptrSize);
      modinfo = goString(elf, h, 16 + ptrSize, ptrSize);
    }
    return Optional.of(parse(version, modinfo));
  }

  /** The build info's file offset: its section, else a scan of the writable segments. */
  private static Optional<Long> locate(ElfFile elf) throws IOException, MalformedElfException {
    Optional<ElfSection> section = elf.section(".go.buildinfo");
    if (section.isPresent() && section.get().hasFileBytes() && section.get().size() >= 32) {
      long offset = section.get().offset();
      if (Arrays.equals(elf.read(offset, MAGIC.length), MAGIC)) {
        return Optional.of(offset);
      }
    }
    long budget = MAX_SCAN; // in all segments together, however many the headers list
    for (ElfSegment s : elf.segments()) {
      if (s.type() != ElfSegment.PT_LOAD || (s.flags() & ElfSegment.PF_W) == 0) {
        continue;
      }
      long size = Math.min(s.fileSize(), budget);
      budget -= size;
      for (long start = 0; start < size; start += SCAN_CHUNK) {
        int n = (int) Math.min(SCAN_CHUNK + 32, size - start);
        byte[] chunk = elf.read(s.offset() + start, n);
        long misalign = Math.floorMod(s.address() + start, 16L);
        for (long i = misalign == 0 ? 0 : 16 - misalign; i + 32 <= n && i < SCAN_CHUNK; i += 16) {
          if (matches(chunk, (int) i)) {
            return Optional.of(s.offset() + start + i);
          }
        }
      }
    }
    return Optional.empty();
  }

  private static boolean matches(byte[] data, int at) {
    for (int i = 0; i < MAGIC.length; i++) {
      if (data[at + i] != MAGIC[i]) {
        return false;
      }
    }
    return true;
  }

  private static String uvarintString(ByteBuffer data) throws MalformedElfException {
    long length = 0;
    int shift = 0;
    while (true) {
      if (!data.hasRemaining() || shift > 63) {
        throw new MalformedElfException("build info string length is cut off");
      }
      int b = data.get() & 0xff;
      length |= (long) (b & 0x7f) << shift;
      if (b < 0x80) {
        break;
      }
      shift += 7;
    }
    if (length < 0 || length > data.remaining()) {
      throw new MalformedElfException("build info string of " + length + " bytes is cut off");
    }
    byte[] bytes = new byte[(int) length];
    data.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static String goString(ElfFile elf, ByteBuffer header, int at, int ptrSize)
      throws IOException, MalformedElfException {
    long address = pointer(header, at, ptrSize);
    ByteBuffer h = ByteBuffer.wrap(elf.bytesAt(address, 2 * ptrSize)).order(header.order());
    long data = pointer(h, 0, ptrSize);
    long length = pointer(h, ptrSize, ptrSize);
    if (length < 0 || length > MAX_INFO) {
      throw new MalformedElfException("build info string of " + length + " bytes");
    }
    return new String(elf.bytesAt(data, (int) length), StandardCharsets.UTF_8);
  }

  private static long pointer(ByteBuffer b, int at, int ptrSize) {
    return ptrSize == 8 ? b.getLong(at) : b.getInt(at) & 0xffffffffL;
  }

  /** Decodes the version and the module text between modinfo's 16-byte sentinels. */
  static BuildInfo parse(String version, String modinfo) {
    String text = "";
    if (modinfo.length() >= 33 && modinfo.charAt(modinfo.length() - 17) == '\n') {
      text = modinfo.substring(16, modinfo.length() - 16);
    }
    String mainPath = "";
    GoModule main = null;
    List<GoModule> deps = new ArrayList<>();
    Map<String, String> settings = new LinkedHashMap<>();
    boolean lastIsMain = false;
    for (String line : text.split("\n")) {
      String[] f = line.split("\t", -1);
      switch (f[0]) {
        case "path" -> mainPath = field(f, 1);
        case "mod" -> {
          main = module(f);
          lastIsMain = true;
        }
        case "dep" -> {
          deps.add(module(f));
          lastIsMain = false;
        }
        case "=>" -> {
          GoModule replacement = module(f);
          if (lastIsMain && main != null) {
            main = replaced(main, replacement);
          } else if (!deps.isEmpty()) {
            deps.set(deps.size() - 1, replaced(deps.get(deps.size() - 1), replacement));
          }
        }
        case "build" -> {
          String kv = field(f, 1);
          int eq = kv.indexOf('=');
          if (eq > 0) {
            settings.put(kv.substring(0, eq), unquote(kv.substring(eq + 1)));
          }
        }
        default -> {}
      }
    }
    return new BuildInfo(version, mainPath, Optional.ofNullable(main), deps, settings);
  }

  private static GoModule module(String[] f) {
    return new GoModule(field(f, 1), field(f, 2), field(f, 3), Optional.empty());
  }

  private static GoModule replaced(GoModule m, GoModule by) {
    return new GoModule(m.path(), m.version(), m.sum(), Optional.of(by));
  }

  private static String field(String[] f, int i) {
    return i < f.length ? f[i] : "";
  }

  /** Values with spaces or quotes are written with strconv.Quote; undo the common escapes. */
  private static String unquote(String value) {
    if (value.length() < 2 || value.charAt(0) != '"' || !value.endsWith("\"")) {
      return value;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 1; i < value.length() - 1; i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length() - 1) {
        char n = value.charAt(++i);
        switch (n) {
          case 'n' -> out.append('\n');
          case 't' -> out.append('\t');
          default -> out.append(n);
        }
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
