package dev.kpm.compat;

/** A file that is not ELF, or whose ELF structures lie about offsets, sizes or counts. */
public final class MalformedElfException extends Exception {
  private static final long serialVersionUID = 1L;

  public MalformedElfException(String reason) {
    super(reason);
  }
}
