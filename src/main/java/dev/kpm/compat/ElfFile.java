package dev.kpm.compat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A bounded ELF reader (ELF32/64, either byte order) over positional reads of one file. Every
 * offset, size and count read from the file is checked against the file's length and a cap before
 * anything is allocated from it; a structure that does not fit is a {@link MalformedElfException}.
 * Tables are read in chunks, so memory stays bounded whatever the headers claim.
 */
public final class ElfFile implements AutoCloseable {
  static final int MAX_SECTIONS = 4096;
  static final int MAX_SEGMENTS = 512;
  static final long MAX_SYMBOLS = 4_000_000;
  static final long MAX_RELOCATIONS = 8_000_000;
  static final long MAX_DYNAMIC_ENTRIES = 65_536;
  static final int MAX_STRING_TABLE = 64 << 20;
  static final int MAX_NAME = 4096;
  static final int MAX_READ = 64 << 20;
  private static final int CHUNK = 64 << 10;

  public static final int ET_EXEC = 2;
  public static final int ET_DYN = 3;
  public static final int DT_NULL = 0;
  public static final int DT_NEEDED = 1;

  private final Path path;
  private final FileChannel channel;
  private final long length;
  private final boolean is64;
  private final ByteOrder order;
  private final int type;
  private final int machine;
  private final int osAbi;
  private final List<ElfSegment> segments;
  private final List<ElfSection> sections;
  private final Map<Integer, byte[]> stringTables = new HashMap<>();

  private ElfFile(Path path, FileChannel channel) throws IOException, MalformedElfException {
    this.path = path;
    this.channel = channel;
    this.length = channel.size();
    if (length < 16) {
      throw new MalformedElfException("too short to be ELF (" + length + " bytes)");
    }
    byte[] ident = read(0, 16);
    if (ident[0] != 0x7f || ident[1] != 'E' || ident[2] != 'L' || ident[3] != 'F') {
      throw new MalformedElfException("not an ELF file (no \\x7fELF magic)");
    }
    if (ident[4] != 1 && ident[4] != 2) {
      throw new MalformedElfException("unknown ELF class " + ident[4]);
    }
    if (ident[5] != 1 && ident[5] != 2) {
      throw new MalformedElfException("unknown ELF byte order " + ident[5]);
    }
    is64 = ident[4] == 2;
    order = ident[5] == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    osAbi = ident[7] & 0xff;
    ByteBuffer h = buffer(read(0, is64 ? 64 : 52));
    type = h.getShort(16) & 0xffff;
    machine = h.getShort(18) & 0xffff;
    long phoff = is64 ? h.getLong(32) : u32(h, 28);
    long shoff = is64 ? h.getLong(40) : u32(h, 32);
    int base = is64 ? 54 : 42;
    int phentsize = h.getShort(base) & 0xffff;
    int phnum = h.getShort(base + 2) & 0xffff;
    int shentsize = h.getShort(base + 4) & 0xffff;
    int shnum = h.getShort(base + 6) & 0xffff;
    int shstrndx = h.getShort(base + 8) & 0xffff;
    segments = readSegments(phoff, phentsize, phnum);
    sections = readSections(shoff, shentsize, shnum, shstrndx);
  }

  /** Opens and checks the headers; the caller closes. */
  public static ElfFile open(Path path) throws IOException, MalformedElfException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      return new ElfFile(path, channel);
    } catch (IOException | MalformedElfException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  public Path path() {
    return path;
  }

  public long length() {
    return length;
  }

  public boolean is64() {
    return is64;
  }

  public ByteOrder byteOrder() {
    return order;
  }

  public int type() {
    return type;
  }

  /** The architecture the file is built for, as Go names it: amd64, arm64, 386… */
  public String goArch() {
    return Machines.name(machine(), is64() ? 64 : 32);
  }

  public int machine() {
    return machine;
  }

  public int osAbi() {
    return osAbi;
  }

  public int pointerSize() {
    return is64 ? 8 : 4;
  }

  public List<ElfSegment> segments() {
    return segments;
  }

  public List<ElfSection> sections() {
    return sections;
  }

  public Optional<ElfSection> section(String name) {
    return sections.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** The first section of a type, e.g. {@link ElfSection#SHT_DYNSYM}. */
  public Optional<ElfSection> sectionOfType(int sectionType) {
    return sections.stream().filter(s -> s.type() == sectionType).findFirst();
  }

  /** The PT_INTERP path, when the file asks for a program interpreter. */
  public Optional<String> interpreter() throws IOException, MalformedElfException {
    for (ElfSegment s : segments) {
      if (s.type() == ElfSegment.PT_INTERP) {
        if (s.fileSize() > MAX_NAME) {
          throw new MalformedElfException("PT_INTERP of " + s.fileSize() + " bytes");
        }
        byte[] bytes = read(s.offset(), (int) s.fileSize());
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
          end++;
        }
        return Optional.of(new String(bytes, 0, end, StandardCharsets.UTF_8));
      }
    }
    return Optional.empty();
  }

  /** The DT_NEEDED libraries of the {@code .dynamic} section, in order. */
  public List<String> needed() throws IOException, MalformedElfException {
    Optional<ElfSection> dynamic = sectionOfType(ElfSection.SHT_DYNAMIC);
    if (dynamic.isEmpty()) {
      return List.of();
    }
    ElfSection d = dynamic.get();
    int entry = is64 ? 16 : 8;
    long count = d.size() / entry;
    if (count > MAX_DYNAMIC_ENTRIES) {
      throw new MalformedElfException(".dynamic has " + count + " entries");
    }
    List<Long> offsets = new ArrayList<>();
    ByteBuffer b = buffer(read(d.offset(), (int) (count * entry)));
    for (int i = 0; i < count; i++) {
      long tag = is64 ? b.getLong(i * entry) : b.getInt(i * entry);
      long value = is64 ? b.getLong(i * entry + 8) : u32(b, i * entry + 4);
      if (tag == DT_NULL) {
        break;
      }
      if (tag == DT_NEEDED) {
        offsets.add(value);
      }
    }
    List<String> needed = new ArrayList<>();
    for (long offset : offsets) {
      needed.add(string(d.link(), offset));
    }
    return needed;
  }

  /**
   * The symbols of a table whose names start with one of {@code prefixes}, by index. Reads the
   * table in chunks; names are compared as bytes and only kept symbols are decoded and held, so a
   * table of millions of long names costs no more than its prefix comparisons.
   */
  public Map<Integer, ElfSymbol> symbols(ElfSection table, String... prefixes)
      throws IOException, MalformedElfException {
    int entry = is64 ? 24 : 16;
    long count = table.size() / entry;
    if (count > MAX_SYMBOLS) {
      throw new MalformedElfException(table.name() + " has " + count + " symbols");
    }
    checkRange(table.offset(), count * entry, table.name());
    byte[] strings = stringTable(table.link());
    byte[][] wanted = new byte[prefixes.length][];
    for (int i = 0; i < prefixes.length; i++) {
      wanted[i] = prefixes[i].getBytes(StandardCharsets.UTF_8);
    }
    Map<Integer, ElfSymbol> kept = new HashMap<>();
    int perChunk = CHUNK / entry;
    for (long first = 0; first < count; first += perChunk) {
      int n = (int) Math.min(perChunk, count - first);
      ByteBuffer b = buffer(read(table.offset() + first * entry, n * entry));
      for (int i = 0; i < n; i++) {
        int at = i * entry;
        long nameOffset = u32(b, at);
        long value = is64 ? b.getLong(at + 8) : u32(b, at + 4);
        long size = is64 ? b.getLong(at + 16) : u32(b, at + 8);
        int shndx = b.getShort(is64 ? at + 6 : at + 14) & 0xffff;
        if (nameOffset >= strings.length) {
          throw new MalformedElfException("symbol name offset outside " + table.name());
        }
        if (startsWithAny(strings, (int) nameOffset, wanted)) {
          int index = (int) (first + i);
          String name = cString(strings, nameOffset, table.name());
          kept.put(index, new ElfSymbol(index, name, value, size, shndx));
        }
      }
    }
    return kept;
  }

  /**
   * The entries of a REL or RELA section whose symbol index is in {@code symbolIndexes}, in file
   * order. Reads the table in chunks.
   */
  public List<ElfRelocation> relocations(ElfSection table, Set<Integer> symbolIndexes)
      throws IOException, MalformedElfException {
    boolean rela = table.type() == ElfSection.SHT_RELA;
    int entry = is64 ? (rela ? 24 : 16) : (rela ? 12 : 8);
    long count = table.size() / entry;
    if (count > MAX_RELOCATIONS) {
      throw new MalformedElfException(table.name() + " has " + count + " relocations");
    }
    checkRange(table.offset(), count * entry, table.name());
    List<ElfRelocation> kept = new ArrayList<>();
    int perChunk = CHUNK / entry;
    for (long first = 0; first < count; first += perChunk) {
      int n = (int) Math.min(perChunk, count - first);
      ByteBuffer b = buffer(read(table.offset() + first * entry, n * entry));
      for (int i = 0; i < n; i++) {
        int at = i * entry;
        long offset = is64 ? b.getLong(at) : u32(b, at);
        long info = is64 ? b.getLong(at + 8) : u32(b, at + 4);
        long symbol = is64 ? info >>> 32 : info >>> 8;
        int relType = (int) (is64 ? info & 0xffffffffL : info & 0xff);
        if (symbol <= Integer.MAX_VALUE && symbolIndexes.contains((int) symbol)) {
          kept.add(new ElfRelocation(offset, (int) symbol, relType));
        }
      }
    }
    return kept;
  }

  /** The file bytes of a symbol's value, {@code length} bytes, through its section. */
  public byte[] bytesAt(long address, int length) throws IOException, MalformedElfException {
    if (length < 0 || length > MAX_READ) {
      throw new MalformedElfException("refusing to read " + length + " bytes");
    }
    for (ElfSection s : sections) {
      if (s.containsAddress(address, length)) {
        return read(s.offset() + (address - s.address()), length);
      }
    }
    for (ElfSegment s : segments) {
      if (s.containsAddress(address, length)) {
        return read(s.offset() + (address - s.address()), length);
      }
    }
    throw new MalformedElfException(
        "address 0x" + Long.toHexString(address) + " is not in the file's loaded bytes");
  }

  /** Reads {@code count} bytes at {@code offset}, both checked against the file first. */
  public byte[] read(long offset, int count) throws IOException, MalformedElfException {
    if (count > MAX_READ) {
      throw new MalformedElfException("refusing to read " + count + " bytes");
    }
    checkRange(offset, count, "read");
    ByteBuffer b = ByteBuffer.allocate(count);
    long at = offset;
    while (b.hasRemaining()) {
      int n = channel.read(b, at);
      if (n < 0) {
        throw new MalformedElfException("file ended at " + at + " (it shrank while being read)");
      }
      at += n;
    }
    return b.array();
  }

  /** The file offset range check every structure goes through; overflow-safe. */
  void checkRange(long offset, long count, String what) throws MalformedElfException {
    if (offset < 0 || count < 0 || offset > length || count > length - offset) {
      throw new MalformedElfException(
          what
              + " at offset "
              + Long.toUnsignedString(offset)
              + " with "
              + Long.toUnsignedString(count)
              + " bytes lies outside the file of "
              + length
              + " bytes");
    }
  }

  ByteBuffer buffer(byte[] bytes) {
    return ByteBuffer.wrap(bytes).order(order);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  private List<ElfSegment> readSegments(long phoff, int phentsize, int phnum)
      throws IOException, MalformedElfException {
    if (phnum == 0) {
      return List.of();
    }
    int entry = is64 ? 56 : 32;
    if (phentsize < entry) {
      throw new MalformedElfException("program header entry size " + phentsize);
    }
    if (phnum > MAX_SEGMENTS) {
      throw new MalformedElfException(phnum + " program headers");
    }
    checkRange(phoff, (long) phentsize * phnum, "program header table");
    ByteBuffer b = buffer(read(phoff, phentsize * phnum));
    List<ElfSegment> list = new ArrayList<>(phnum);
    for (int i = 0; i < phnum; i++) {
      int at = i * phentsize;
      ElfSegment s =
          is64
              ? new ElfSegment(
                  b.getInt(at),
                  b.getInt(at + 4),
                  b.getLong(at + 8),
                  b.getLong(at + 16),
                  b.getLong(at + 32),
                  b.getLong(at + 40))
              : new ElfSegment(
                  b.getInt(at),
                  b.getInt(at + 24),
                  u32(b, at + 4),
                  u32(b, at + 8),
                  u32(b, at + 16),
                  u32(b, at + 20));
      if (s.type() == ElfSegment.PT_LOAD
          || s.type() == ElfSegment.PT_INTERP
          || s.type() == ElfSegment.PT_DYNAMIC) {
        checkRange(s.offset(), s.fileSize(), "segment " + i);
      }
      list.add(s);
    }
    return List.copyOf(list);
  }

  private List<ElfSection> readSections(long shoff, int shentsize, int shnum, int shstrndx)
      throws IOException, MalformedElfException {
    if (shoff == 0) {
      return List.of();
    }
    int entry = is64 ? 64 : 40;
    if (shentsize < entry) {
      throw new MalformedElfException("section header entry size " + shentsize);
    }
    checkRange(shoff, shentsize, "section header table");
    ByteBuffer first = buffer(read(shoff, entry));
    long count = shnum;
    long strndx = shstrndx;
    if (count == 0) { // more than 0xff00 sections: the count is in section 0's sh_size
      count = is64 ? first.getLong(32) : u32(first, 20);
    }
    if (strndx == 0xffff) {
      strndx = u32(first, is64 ? 40 : 24);
    }
    if (count < 0 || count > MAX_SECTIONS) {
      throw new MalformedElfException(Long.toUnsignedString(count) + " section headers");
    }
    checkRange(shoff, shentsize * count, "section header table");
    ByteBuffer b = buffer(read(shoff, (int) (shentsize * count)));
    List<long[]> raw = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int at = i * shentsize;
      long[] r =
          is64
              ? new long[] {
                u32(b, at),
                u32(b, at + 4),
                b.getLong(at + 8),
                b.getLong(at + 16),
                b.getLong(at + 24),
                b.getLong(at + 32),
                u32(b, at + 40),
                b.getLong(at + 56)
              }
              : new long[] {
                u32(b, at),
                u32(b, at + 4),
                u32(b, at + 8),
                u32(b, at + 12),
                u32(b, at + 16),
                u32(b, at + 20),
                u32(b, at + 24),
                u32(b, at + 36)
              };
      if (r[1] != ElfSection.SHT_NOBITS && r[1] != 0) {
        checkRange(r[4], r[5], "section " + i);
      }
      raw.add(r);
    }
    byte[] names = new byte[0];
    if (strndx != 0 && strndx < count) {
      long[] s = raw.get((int) strndx);
      if (s[5] > MAX_STRING_TABLE) {
        throw new MalformedElfException("section name table of " + s[5] + " bytes");
      }
      names = read(s[4], (int) s[5]);
    }
    List<ElfSection> list = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long[] r = raw.get(i);
      String name = names.length == 0 ? "" : cString(names, r[0], "section name table");
      list.add(new ElfSection(i, name, (int) r[1], r[2], r[3], r[4], r[5], (int) r[6], r[7]));
    }
    return List.copyOf(list);
  }

  private byte[] stringTable(int index) throws IOException, MalformedElfException {
    if (index <= 0 || index >= sections.size()) {
      throw new MalformedElfException("string table index " + index + " is not a section");
    }
    byte[] cached = stringTables.get(index);
    if (cached != null) {
      return cached;
    }
    ElfSection s = sections.get(index);
    if (s.type() != ElfSection.SHT_STRTAB) {
      throw new MalformedElfException("section " + index + " is not a string table");
    }
    if (s.size() > MAX_STRING_TABLE) {
      throw new MalformedElfException(s.name() + " of " + s.size() + " bytes");
    }
    byte[] bytes = read(s.offset(), (int) s.size());
    if (bytes.length > 0 && bytes[bytes.length - 1] != 0) {
      throw new MalformedElfException(s.name() + " does not end with a NUL terminator");
    }
    stringTables.put(index, bytes);
    return bytes;
  }

  private String string(int tableIndex, long offset) throws IOException, MalformedElfException {
    return cString(stringTable(tableIndex), offset, "string table " + tableIndex);
  }

  private static boolean startsWithAny(byte[] table, int at, byte[][] prefixes) {
    for (byte[] prefix : prefixes) {
      if (prefix.length <= table.length - at
          && Arrays.equals(table, at, at + prefix.length, prefix, 0, prefix.length)) {
        return true;
      }
    }
    return false;
  }

  /** A NUL-terminated string of at most MAX_NAME bytes inside {@code table}. */
  static String cString(byte[] table, long offset, String what) throws MalformedElfException {
    if (offset < 0 || offset >= table.length) {
      if (offset == 0 && table.length == 0) {
        return "";
      }
      throw new MalformedElfException("name offset " + offset + " outside " + what);
    }
    int start = (int) offset;
    int limit = (int) Math.min(table.length, (long) start + MAX_NAME + 1);
    for (int i = start; i < limit; i++) {
      if (table[i] == 0) {
        return new String(table, start, i - start, StandardCharsets.UTF_8);
      }
    }
    throw new MalformedElfException("unterminated or over-long name in " + what);
  }

  static long u32(ByteBuffer b, int at) {
    return b.getInt(at) & 0xffffffffL;
  }
}
