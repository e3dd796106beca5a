package dev.kpm.install.staging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The private work folder of one install, below {@code .kpm/staging/} in the home folder (same file
 * system, so moves into place are renames):
 *
 * <pre>
 *   home/       files in their final layout, waiting to be moved into the home folder
 *   scratch/    the other entries and install.sh, which runs here
 *   backup/     files of the home folder that a move replaced
 *   obsolete/   files of a replaced version that the new one no longer has
 *   download.zip
 * </pre>
 *
 * A move plan is a list of manifest entries {@code put:<rel>} and {@code drop:<rel>} (paths
 * relative to the home folder). {@link #apply} and {@link #undo} are idempotent and can resume from
 * any point, which is what crash recovery relies on: undo moves a new file back into {@code home/}
 * rather than deleting it, so running it twice (say, once before and once after a restart, when the
 * database could not record the first) restores the old files and never removes them. Not
 * thread-safe: one install owns it.
 */
public final class Staging {
  static final String PUT = "put:";
  static final String DROP = "drop:";
  private final Path root;
  private final Path homeFolder;

  public Staging(Path root, Path homeFolder) {
    this.root = root;
    this.homeFolder = homeFolder;
  }

  public static Staging create(Path root, Path homeFolder) throws IOException {
    Files.createDirectories(root.resolve("home"));
    Files.createDirectories(root.resolve("scratch"));
    return new Staging(root, homeFolder);
  }

  public Path root() {
    return root;
  }

  public Path download() {
    return root.resolve("download.zip");
  }

  public Path staged(String rel) {
    return root.resolve("home").resolve(rel);
  }

  public Path scratch() {
    return root.resolve("scratch");
  }

  /** Every file staged for the home folder, relative to it, sorted. */
  public List<String> stagedFiles() throws IOException {
    Path base = root.resolve("home");
    List<String> files = new ArrayList<>();
    try (var walk = Files.walk(base)) {
      walk.filter(Files::isRegularFile)
          .forEach(p -> files.add(base.relativize(p).toString().replace('\\', '/')));
    }
    files.sort(null);
    return files;
  }

  /** The plan for a new version: put every new file, drop the old version's files it lacks. */
  public static List<String> manifest(List<String> files, List<String> oldFiles) {
    List<String> manifest = new ArrayList<>();
    files.forEach(f -> manifest.add(PUT + f));
    oldFiles.stream().filter(f -> !files.contains(f)).forEach(f -> manifest.add(DROP + f));
    return manifest;
  }

  /**
   * Moves staged files into place (backing up what they replace) and obsolete files out, drops the
   * download and the scratch folder, and makes the home folder durable ({@link Durability}).
   */
  public void apply(List<String> manifest) throws IOException {
    for (String entry : manifest) {
      String rel = entry.substring(entry.indexOf(':') + 1);
      Path target = homeFolder.resolve(rel);
      if (entry.startsWith(DROP)) {
        moveIfExists(target, root.resolve("obsolete").resolve(rel));
      } else if (Files.exists(staged(rel))) {
        moveIfExists(target, root.resolve("backup").resolve(rel));
        move(staged(rel), target);
      }
    }
    // Work files deleted before the flush are never written back.
    Files.deleteIfExists(download());
    deleteTree(scratch());
    Durability.flush(homeFolder, targets(manifest));
  }

  /**
   * Restores the home folder as it was before {@link #apply}, from wherever apply stopped, and
   * makes it durable.
   */
  public void undo(List<String> manifest) throws IOException {
    for (int i = manifest.size() - 1; i >= 0; i--) {
      String entry = manifest.get(i);
      String rel = entry.substring(entry.indexOf(':') + 1);
      Path target = homeFolder.resolve(rel);
      if (entry.startsWith(DROP)) {
        moveIfExists(root.resolve("obsolete").resolve(rel), target);
        continue;
      }
      if (!Files.exists(staged(rel)) && Files.exists(target)) {
        // Moved back, not deleted: an undo that runs again finds it staged and leaves the
        // restored file alone.
        move(target, staged(rel));
        Prune.emptyParents(target.getParent(), homeFolder);
      }
      moveIfExists(root.resolve("backup").resolve(rel), target);
    }
    Durability.flush(homeFolder, targets(manifest));
  }

  private List<Path> targets(List<String> manifest) {
    return manifest.stream()
        .map(entry -> homeFolder.resolve(entry.substring(entry.indexOf(':') + 1)))
        .toList();
  }

  private static void moveIfExists(Path from, Path to) throws IOException {
    if (Files.exists(from)) {
      move(from, to);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    Files.createDirectories(to.getParent());
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      // A folder of the home on another file system: not atomic, still complete before commit.
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Removes the whole work folder. */
  public void delete() {
    deleteTree(root);
  }

  public static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              Files.delete(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + root, e);
    }
  }
}
