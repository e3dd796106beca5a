package dev.kpm.install.archive;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.zip.CRC32;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.InputStreamStatistics;

/**
 * One {@link SafeZip#extract} call: checks destinations, writes, meters actual bytes, and removes
 * what it wrote when anything fails. Used by one thread for one call, then dropped.
 */
final class Extraction {
  private static final int BUFFER_SIZE = 64 * 1024;

  private final ZipFile file;
  private final ArchiveLimits limits;
  private final List<Path> roots;
  private final byte[] buffer = new byte[BUFFER_SIZE];
  private final Set<Path> written = new LinkedHashSet<>();
  private final Deque<Path> createdFolders = new ArrayDeque<>();

  /**
   * Folders this extraction created or found resolving inside their root: the next file into one of
   * them needs no check again (each check resolves every link of the path, one {@code readlink} per
   * component, and a plugin of 4,000 files in a few folders asked it 4,000 times).
   */
  private final Set<Path> checkedFolders = new java.util.HashSet<>();

  /** The real path of each root, resolved once. */
  private final java.util.Map<Path, Path> realRoots = new java.util.HashMap<>();

  private long totalBytes;

  private record Step(EntryRules.Checked checked, List<Path> destinations) {}

  @FunctionalInterface
  private interface Content {
    void writeTo(OutputStream out) throws ArchiveException, IOException;
  }

  Extraction(ZipFile file, ArchiveLimits limits, List<Path> allowedRoots) {
    this.file = file;
    this.limits = limits;
    this.roots = allowedRoots.stream().map(r -> r.toAbsolutePath().normalize()).toList();
  }

  List<Path> run(List<EntryRules.Checked> entries, Function<ArchiveEntry, List<Path>> targets)
      throws ArchiveException, IOException {
    List<Step> steps = plan(entries, targets);
    try {
      for (Step step : steps) {
        write(step);
      }
    } catch (ArchiveException | IOException | RuntimeException e) {
      undo(e);
      throw e;
    }
    return List.copyOf(written);
  }

  private List<Step> plan(
      List<EntryRules.Checked> entries, Function<ArchiveEntry, List<Path>> targets)
      throws ArchiveException {
    List<Step> steps = new ArrayList<>(entries.size());
    for (EntryRules.Checked checked : entries) {
      List<Path> destinations = new ArrayList<>();
      for (Path destination : targets.apply(checked.entry())) {
        destinations.add(guard(checked.entry(), destination));
      }
      steps.add(new Step(checked, destinations));
    }
    return steps;
  }

  /** The destination as a normalized absolute path, if it lies inside an allowed root. */
  private Path guard(ArchiveEntry entry, Path destination) throws ArchiveException {
    Path path = destination.toAbsolutePath().normalize();
    if (rootOf(path) == null || (!entry.directory() && roots.contains(path))) {
      throw EntryRules.refused(entry.name(), "escapes the plugin folder");
    }
    return path;
  }

  private Path rootOf(Path path) {
    return roots.stream().filter(path::startsWith).findFirst().orElse(null);
  }

  private void write(Step step) throws ArchiveException, IOException {
    ArchiveEntry entry = step.checked().entry();
    List<Path> destinations = step.destinations();
    if (entry.directory()) {
      for (Path folder : destinations) {
        folder(entry, folder);
      }
    } else if (destinations.isEmpty()) {
      // Not written, still read: its size, CRC and ratio are checked as every other entry's.
      copyEntry(step.checked(), OutputStream.nullOutputStream());
    } else {
      Path first = destinations.get(0);
      writeFile(entry, first, out -> copyEntry(step.checked(), out));
      for (Path copy : destinations.subList(1, destinations.size())) {
        writeFile(entry, copy, out -> Files.copy(first, out));
      }
    }
  }

  private void folder(ArchiveEntry entry, Path folder) throws ArchiveException, IOException {
    ensureFolder(entry, folder);
    if (!roots.contains(folder)) {
      Files.setPosixFilePermissions(folder, FileModes.toSet(FileModes.forFolder(entry.unixMode())));
    }
  }

  // Created owner-only, filled, then given its final bits: no moment where others may read it.
  private void writeFile(ArchiveEntry entry, Path destination, Content content)
      throws ArchiveException, IOException {
    ensureFolder(entry, destination.getParent());
    Files.deleteIfExists(destination); // a link is removed itself, never followed
    Files.createFile(destination, FileModes.attribute(FileModes.OWNER_READ_WRITE));
    written.add(destination);
    try (OutputStream out =
        new BufferedOutputStream(
            Files.newOutputStream(destination, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
            BUFFER_SIZE)) {
      content.writeTo(out);
    }
    Files.setPosixFilePermissions(
        destination, FileModes.toSet(FileModes.forFile(entry.unixMode())));
  }

  /** Creates the missing folders of {@code folder} inside its root, after checking what exists. */
  private void ensureFolder(ArchiveEntry entry, Path folder) throws ArchiveException, IOException {
    if (checkedFolders.contains(folder)) {
      return;
    }
    Path root = rootOf(folder);
    Deque<Path> missing = new ArrayDeque<>();
    Path existing = folder;
    while (existing.startsWith(root) && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
      missing.push(existing);
      existing = existing.getParent();
    }
    // What already exists may be or hold a link pointing elsewhere; what we create cannot.
    if (existing.startsWith(root)
        && !checkedFolders.contains(existing)
        && !existing.toRealPath().startsWith(realRoot(root))) {
      throw EntryRules.refused(entry.name(), "escapes the plugin folder");
    }
    if (existing.startsWith(root)) {
      checkedFolders.add(existing);
    }
    for (Path p : missing) {
      Files.createDirectory(p, FileModes.attribute(0755));
      Files.setPosixFilePermissions(p, FileModes.toSet(0755)); // the umask may have narrowed it
      createdFolders.push(p);
      checkedFolders.add(p);
    }
  }

  private Path realRoot(Path root) throws IOException {
    Path real = realRoots.get(root);
    if (real == null) {
      real = root.toRealPath();
      realRoots.put(root, real);
    }
    return real;
  }

  private void copyEntry(EntryRules.Checked checked, OutputStream out)
      throws ArchiveException, IOException {
    ArchiveEntry entry = checked.entry();
    long compressed = checked.raw().getCompressedSize();
    CRC32 crc = new CRC32();
    long size = 0;
    try (InputStream in = open(checked)) {
      for (int n = read(in, entry); n != -1; n = read(in, entry)) {
        size += n;
        meter(entry, size, compressed, n);
        crc.update(buffer, 0, n);
        out.write(buffer, 0, n);
      }
      verify(checked, size, crc.getValue(), in);
    }
  }

  private InputStream open(EntryRules.Checked checked) throws ArchiveException {
    try {
      return file.getInputStream(checked.raw());
    } catch (IOException | RuntimeException e) {
      throw EntryRules.corrupt(checked.entry(), "cannot be read: " + e.getMessage(), e);
    }
  }

  // Only read errors mean a bad archive; write errors stay IOExceptions (disk full, permissions).
  private int read(InputStream in, ArchiveEntry entry) throws ArchiveException {
    try {
      return in.read(buffer);
    } catch (IOException | RuntimeException e) {
      throw EntryRules.corrupt(entry, "cannot be read: " + e.getMessage(), e);
    }
  }

  // Declared sizes can lie, so actual bytes are counted. Against the declared compressed size the
  // ratio only grows while reading, so refusing early never refuses an entry that would pass.
  private void meter(ArchiveEntry entry, long size, long compressed, int n)
      throws ArchiveException {
    totalBytes += n;
    if (totalBytes > limits.maxTotalBytes()) {
      throw EntryRules.expandsTooMuch(limits);
    }
    if (limits.ratioExceeded(size, compressed)) {
      throw EntryRules.ratioTooHigh(entry, limits);
    }
  }

  private void verify(EntryRules.Checked checked, long size, long crc, InputStream in)
      throws ArchiveException {
    ArchiveEntry entry = checked.entry();
    // The compressed size can lie too: the stream knows how many bytes it really inflated.
    if (in instanceof InputStreamStatistics stats
        && limits.ratioExceeded(size, stats.getCompressedCount())) {
      throw EntryRules.ratioTooHigh(entry, limits);
    }
    if (entry.size() >= 0 && size != entry.size()) {
      String detail = "holds " + size + " bytes but declares " + entry.size();
      throw EntryRules.corrupt(entry, detail, null);
    }
    long declaredCrc = checked.raw().getCrc();
    if (declaredCrc != -1 && crc != declaredCrc) {
      throw EntryRules.corrupt(entry, "fails its CRC check", null);
    }
  }

  private void undo(Exception cause) {
    for (Path path : written) {
      try {
        Files.deleteIfExists(path);
      } catch (IOException e) {
        cause.addSuppressed(e);
      }
    }
    for (Path folder : createdFolders) { // newest first, so children go before parents
      try {
        Files.deleteIfExists(folder);
      } catch (IOException e) {
        cause.addSuppressed(e);
      }
    }
  }
}
