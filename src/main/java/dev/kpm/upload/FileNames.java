package dev.kpm.upload;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The names a stored upload may have: one path element that stays inside the uploads folder and
 * that every file system takes — non-empty, at most 255 bytes in UTF-8, no {@code /}, {@code \},
 * NUL or other control character, not {@code .} or {@code ..}, and not hidden (no leading {@code
 * .}: kpm's temporary files are hidden, and the list never shows hidden names). eKuiper 2.4 takes
 * {@code a/b} as a file in a subfolder and earlier 2.x versions joined any name to the folder
 * (docs/api.md §9.34).
 */
public final class FileNames {
  /** The longest name in bytes, as most Linux file systems allow. */
  public static final int MAX_BYTES = 255;

  private FileNames() {}

  /** Why {@code name} cannot be a stored file's name, or empty when it can. */
  public static Optional<String> problem(String name) {
    if (name == null || name.isEmpty()) {
      return Optional.of("invalid file name: it is empty");
    }
    if (!StandardCharsets.UTF_8.newEncoder().canEncode(name)) {
      return Optional.of("invalid file name: it is not valid Unicode");
    }
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_BYTES) {
      return Optional.of(
          "invalid file name: "
              + bytes
              + " bytes in UTF-8, more than "
              + MAX_BYTES
              + " (kpm allows one file name, not a path)");
    }
    String quoted = "invalid file name \"" + name + "\": ";
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/' || c == '\\') {
        return Optional.of(quoted + "it contains " + c + " (kpm allows one file name, not a path)");
      }
      if (Character.isISOControl(c)) {
        return Optional.of(quoted + "it contains a control character");
      }
    }
    if (name.equals(".") || name.equals("..")) {
      return Optional.of(quoted + ". and .. are folders, not file names");
    }
    if (name.startsWith(".")) {
      return Optional.of(
          quoted + "a name starting with . is hidden, and kpm keeps those for itself");
    }
    return Optional.empty();
  }

  /** Refuses an invalid name with 400, its text after {@code prefix}. */
  static void check(String name, String prefix) {
    Optional<String> problem = problem(name);
    if (problem.isPresent()) {
      throw UploadException.invalid(prefix + problem.get());
    }
  }
}
