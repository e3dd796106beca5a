package dev.kpm.compat;

/** One ELF program header: where a segment lies in the file and in memory. */
public record ElfSegment(
    int type, int flags, long offset, long address, long fileSize, long memorySize) {
  public static final int PT_LOAD = 1;
  public static final int PT_DYNAMIC = 2;
  public static final int PT_INTERP = 3;
  public static final int PF_W = 0x2;

  /** True when {@code [addr, addr+length)} lies inside this segment's file-backed bytes. */
  boolean containsAddress(long addr, long length) {
    return type == PT_LOAD
        && addr >= address
        && length >= 0
        && addr - address <= fileSize
        && length <= fileSize - (addr - address);
  }
}
