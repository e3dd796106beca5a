package dev.kpm.compat;

/** The result of reading one file: a {@link GoBinary}, or why it could not be understood. */
public sealed interface Reading {

  /** The file was read. */
  record Read(GoBinary binary) implements Reading {}

  /** The file could not be read as ELF (or at all); {@code reason} is for people. */
  record Unknown(String reason) implements Reading {}
}
