package dev.kpm.install.archive;

import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Permission bits for extracted files and folders: the zip's bits, never wider (docs/api.md §9.8).
 */
final class FileModes {
  static final int OWNER_READ_WRITE = 0600;

  private FileModes() {}

  /** The entry's bits, or 0644 without any; the owner always keeps read and write. */
  static int forFile(int unixMode) {
    return unixMode == 0 ? 0644 : (unixMode & 0777) | OWNER_READ_WRITE;
  }

  /** The entry's bits, or 0755 without any; the owner always keeps rwx to fill the folder. */
  static int forFolder(int unixMode) {
    return unixMode == 0 ? 0755 : (unixMode & 0777) | 0700;
  }

  static Set<PosixFilePermission> toSet(int mode) {
    Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] inBitOrder = PosixFilePermission.values(); // OWNER_READ … OTHERS_EXECUTE
    for (int i = 0; i < inBitOrder.length; i++) {
      if ((mode & (0400 >> i)) != 0) {
        permissions.add(inBitOrder[i]);
      }
    }
    return permissions;
  }

  static FileAttribute<Set<PosixFilePermission>> attribute(int mode) {
    return PosixFilePermissions.asFileAttribute(toSet(mode));
  }
}
