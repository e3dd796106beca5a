package dev.kpm.compat;

/** One entry of a symbol table ({@code .dynsym} or {@code .symtab}) with its name. */
public record ElfSymbol(int index, String name, long value, long size, int sectionIndex) {}
