package dev.kpm.install.staging;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Removes folders left empty by a removal, up to the fixed folders of the home layout. */
public final class Prune {
  private Prune() {}

  /**
   * Deletes {@code dir} and its parents while they are empty, stopping at the third level below
   * {@code home} (e.g. {@code etc/sources}), which belongs to the layout and stays.
   */
  public static void emptyParents(Path dir, Path home) throws IOException {
    Path current = dir;
    while (current != null
        && current.startsWith(home)
        && home.relativize(current).getNameCount() > 2) {
      try {
        if (!Files.deleteIfExists(current)) {
          return;
        }
      } catch (DirectoryNotEmptyException e) {
        return;
      }
      current = current.getParent();
    }
  }
}
