package dev.kpm.install;

import dev.kpm.compat.ElfFile;
import dev.kpm.compat.MalformedElfException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A plugin of the fleet's desired state this node cannot run: built for another architecture. Not a
 * failure of the fleet, and not retried until the desired state changes (docs/api.md §8.20).
 */
final class Incompatible extends RuntimeException {
  Incompatible(String message) {
    super(message);
  }

  /**
   * Refuses an ELF file built for another architecture than {@code arch} (as Go names it); a file
   * that is not ELF (a script) has none to compare.
   */
  static void requireArch(Path file, String shown, String arch) throws IOException {
    String built;
    try (ElfFile elf = ElfFile.open(file)) {
      built = elf.goArch();
    } catch (MalformedElfException e) {
      return;
    }
    if (!built.equals(arch)) {
      throw new Incompatible(shown + " is built for " + built + "; this node runs " + arch);
    }
  }
}
