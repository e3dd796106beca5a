package dev.kpm.compat;

import java.util.Set;

/**
 * The relocation types by which a pointer-sized word is set to a symbol's address, per ELF machine:
 * the kind the Go linker emits for the runtime-hash pointers of a plugin's pkghashes array. An
 * empty set means "machine not known: accept every type".
 */
final class AbsoluteRelocations {
  private AbsoluteRelocations() {}

  static Set<Integer> types(int machine, boolean is64) {
    return switch (machine) {
      case 62 -> Set.of(1); // R_X86_64_64
      case 3 -> Set.of(1); // R_386_32
      case 183 -> Set.of(257); // R_AARCH64_ABS64
      case 40 -> Set.of(2); // R_ARM_ABS32
      case 21 -> Set.of(38); // R_PPC64_ADDR64
      case 22 -> Set.of(22); // R_390_64
      case 243 -> Set.of(is64 ? 2 : 1); // R_RISCV_64 / R_RISCV_32
      case 258 -> Set.of(2); // R_LARCH_64
      default -> Set.of();
    };
  }
}
