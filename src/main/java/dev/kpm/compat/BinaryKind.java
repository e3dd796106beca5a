package dev.kpm.compat;

/** What an ELF file is for the loader: a program, or a shared object such as a plugin. */
public enum BinaryKind {
  /** ET_EXEC, or ET_DYN with a program interpreter (a position-independent executable). */
  EXECUTABLE,
  /** ET_DYN without an interpreter: a library or a Go plugin. */
  SHARED_OBJECT,
  OTHER
}
