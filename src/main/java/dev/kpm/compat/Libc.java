package dev.kpm.compat;

import java.util.List;
import java.util.Optional;

/** The C library a binary is linked against, from its interpreter and DT_NEEDED entries. */
public enum Libc {
  GLIBC("glibc"),
  MUSL("musl libc"),
  /** No interpreter and no C library needed: statically linked, or no C at all. */
  NONE("no C library"),
  UNKNOWN("an unknown C library");

  private final String label;

  Libc(String label) {
    this.label = label;
  }

  /** How the verdict texts name it, e.g. "musl libc". */
  public String label() {
    return label;
  }

  /** Classifies one file: the interpreter decides when present, else the needed libraries. */
  public static Libc classify(Optional<String> interpreter, List<String> needed) {
    if (interpreter.isPresent()) {
      String interp = interpreter.get();
      if (interp.contains("ld-musl")) {
        return MUSL;
      }
      if (interp.contains("ld-linux") || interp.contains("ld64.so") || interp.contains("ld.so")) {
        return needed.stream().anyMatch(Libc::isMusl) ? MUSL : GLIBC;
      }
    }
    if (needed.stream().anyMatch(Libc::isMusl)) {
      return MUSL;
    }
    if (needed.stream().anyMatch(n -> n.startsWith("libc.so."))) {
      return GLIBC;
    }
    if (needed.isEmpty() && interpreter.isEmpty()) {
      return NONE;
    }
    return UNKNOWN;
  }

  /** The library name a file of this libc needs, as it appears in DT_NEEDED. */
  static boolean isMusl(String needed) {
    return needed.startsWith("libc.musl-") || needed.equals("libc.so");
  }
}
