package dev.kpm.compat;

/** ELF e_machine values named as GOARCH names them. */
final class Machines {
  private Machines() {}

  static String name(int machine, int elfClass) {
    boolean is64 = elfClass == 64;
    return switch (machine) {
      case 3 -> "386";
      case 62 -> "amd64";
      case 40 -> "arm";
      case 183 -> "arm64";
      case 8 -> is64 ? "mips64" : "mips";
      case 21 -> "ppc64";
      case 22 -> "s390x";
      case 243 -> is64 ? "riscv64" : "riscv";
      case 258 -> "loong64";
      default -> "ELF machine " + machine;
    };
  }
}
