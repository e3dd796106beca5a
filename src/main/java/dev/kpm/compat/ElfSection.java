package dev.kpm.compat;

/** One ELF section header, its name resolved. Sizes and offsets are checked against the file. */
public record ElfSection(
    int index,
    String name,
    int type,
    long flags,
    long address,
    long offset,
    long size,
    int link,
    long entrySize) {
  public static final int SHT_SYMTAB = 2;
  public static final int SHT_STRTAB = 3;
  public static final int SHT_RELA = 4;
  public static final int SHT_DYNAMIC = 6;
  public static final int SHT_NOBITS = 8;
  public static final int SHT_REL = 9;
  public static final int SHT_DYNSYM = 11;
  public static final long SHF_ALLOC = 0x2;

  /** True when the section has bytes in the file (not NOBITS). */
  public boolean hasFileBytes() {
    return type != SHT_NOBITS && type != 0;
  }

  /** True when {@code [addr, addr+length)} lies inside this section's loaded bytes. */
  boolean containsAddress(long addr, long length) {
    return (flags & SHF_ALLOC) != 0
        && hasFileBytes()
        && addr >= address
        && length >= 0
        && addr - address <= size
        && length <= size - (addr - address);
  }
}
