package dev.kpm.compat;

/** One entry of a REL or RELA table: the address it patches, its symbol index and its type. */
public record ElfRelocation(long offset, int symbolIndex, int type) {}
