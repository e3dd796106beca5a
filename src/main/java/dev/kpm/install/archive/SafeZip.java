package dev.kpm.install.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Reads and extracts plugin zips, refusing hostile ones (docs/api.md §5.7, §9.10). The static
 * methods are thread-safe, each call opening the zip on its own; an {@link Archive} from {@link
 * #open} belongs to one thread. Entries are checked against the central directory before anything
 * is written, so a refused archive writes nothing.
 *
 * <p>Duplicate entry names are refused ({@code zip entry "<name>" appears more than once}), also
 * when they differ only by empty or "." segments or a trailing slash ("a", "./a", "a/"): tools
 * disagree on which copy wins, and a plugin zip never needs two. Only stored and deflated entries
 * are read (as eKuiper's Go reader). File systems must support POSIX permissions. Names are those
 * commons-compress reports: as stored, except that a DOS/Windows-made entry whose name has no "/"
 * has its backslashes read as slashes (backslashes are separators for every check anyway).
 */
public final class SafeZip {
  private static final byte[] LOCAL_HEADER = {'P', 'K', 3, 4};

  private SafeZip() {}

  /**
   * Reads the central directory and checks every entry before anything is written; returns entries
   * in central-directory order.
   */
  public static List<ArchiveEntry> inspect(Path zip, ArchiveLimits limits)
      throws ArchiveException, IOException {
    try (Archive archive = open(zip, limits)) {
      return archive.entries();
    }
  }

  /**
   * Opens {@code zip} and checks every entry, as {@link #inspect}; the archive then extracts
   * without reading and checking the central directory again. Close it when done.
   */
  public static Archive open(Path zip, ArchiveLimits limits) throws ArchiveException, IOException {
    Objects.requireNonNull(limits, "limits");
    if (CentralDirectory.count(zip, limits.maxEntries()).orElse(0) > limits.maxEntries()) {
      throw new ArchiveException("zip has more than " + limits.maxEntries() + " entries");
    }
    ZipFile file = openFile(zip);
    try {
      return new Archive(file, limits, EntryRules.check(file, limits));
    } catch (ArchiveException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  /**
   * Opens, checks and extracts in one call: {@link Archive#extract} on {@link #open}.
   *
   * @return every file written (not folders), as normalized absolute paths, in write order
   */
  public static List<Path> extract(
      Path zip,
      ArchiveLimits limits,
      Function<ArchiveEntry, List<Path>> targets,
      List<Path> allowedRoots)
      throws ArchiveException, IOException {
    try (Archive archive = open(zip, limits)) {
      return archive.extract(targets, allowedRoots);
    }
  }

  /** An open, checked zip. Used by one thread; close it when done. */
  public static final class Archive implements AutoCloseable {
    private final ZipFile file;
    private final ArchiveLimits limits;
    private final List<EntryRules.Checked> checked;

    private Archive(ZipFile file, ArchiveLimits limits, List<EntryRules.Checked> checked) {
      this.file = file;
      this.limits = limits;
      this.checked = checked;
    }

    /** The entries, in central-directory order. */
    public List<ArchiveEntry> entries() {
      return checked.stream().map(EntryRules.Checked::entry).toList();
    }

    /**
     * Extracts: for each entry (in order) asks {@code targets} for its destination paths (0, 1 or
     * several) and writes file entries to every destination (a file entry without any is still read
     * and checked, not written), creates folder entries as folders. All destinations are asked for
     * and checked before the first write; each must lie inside one of {@code allowedRoots} (a file
     * strictly inside), compared as normalized absolute paths and again as real paths once its
     * folder exists. Missing folders inside a root are created with 0755. Files get the entry's
     * permission bits &amp; 0777 plus owner read+write, or 0644 without bits; folder entries get
     * their bits plus owner rwx, or 0755. Existing files (and symbolic links) at a destination are
     * replaced, never followed. Actual bytes are metered: each entry is counted once against
     * maxTotalBytes however many copies it has. On any failure every file and folder this call
     * created is removed before the exception is thrown (files it replaced are not restored).
     *
     * @return every file written (not folders), as normalized absolute paths, in write order
     */
    public List<Path> extract(Function<ArchiveEntry, List<Path>> targets, List<Path> allowedRoots)
        throws ArchiveException, IOException {
      Objects.requireNonNull(targets, "targets");
      return new Extraction(file, limits, allowedRoots).run(checked, targets);
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }

  private static ZipFile openFile(Path zip) throws ArchiveException, IOException {
    boolean startsLikeZip = startsWithLocalHeader(zip); // a missing or unreadable file throws here
    try {
      return ZipFile.builder().setPath(zip).get();
    } catch (IOException | RuntimeException e) {
      // Parsers of hostile bytes may also throw unchecked exceptions: still a bad archive.
      if (!startsLikeZip) {
        throw new ArchiveException(EntryRules.NOT_A_ZIP, e);
      }
      throw new ArchiveException(
          EntryRules.CORRUPT + "central directory unreadable (" + e.getMessage() + ")", e);
    }
  }

  private static boolean startsWithLocalHeader(Path zip) throws IOException {
    try (InputStream in = Files.newInputStream(zip)) {
      return Arrays.equals(in.readNBytes(LOCAL_HEADER.length), LOCAL_HEADER);
    }
  }
}
