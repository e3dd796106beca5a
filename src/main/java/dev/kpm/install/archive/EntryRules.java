package dev.kpm.install.archive;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * The refusal rules of docs/api.md §9.10, applied to the central directory before anything is
 * written, and the refusal messages shared with {@link Extraction}.
 */
final class EntryRules {
  static final String NOT_A_ZIP = "zip: not a valid zip file";
  static final String CORRUPT = "zip: truncated or corrupt archive: ";

  private static final int S_IFMT = 0170000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFDIR = 0040000;
  private static final Pattern DRIVE = Pattern.compile("[A-Za-z]:[/\\\\]");
  private static final Pattern SEPARATORS = Pattern.compile("[/\\\\]");

  /** An entry that passed every rule, with the library's entry needed to read its data. */
  record Checked(ZipArchiveEntry raw, ArchiveEntry entry) {}

  private EntryRules() {}

  /** Checks the whole archive; returns its entries in central-directory order. */
  static List<Checked> check(ZipFile file, ArchiveLimits limits) throws ArchiveException {
    List<ZipArchiveEntry> raw = Collections.list(file.getEntries());
    if (raw.size() > limits.maxEntries()) {
      throw new ArchiveException("zip has more than " + limits.maxEntries() + " entries");
    }
    Set<String> seen = new HashSet<>();
    List<Checked> checked = new ArrayList<>(raw.size());
    long total = 0;
    for (ZipArchiveEntry z : raw) {
      ArchiveEntry e = classify(z);
      if (!seen.add(key(e.name()))) {
        throw refused(e.name(), "appears more than once");
      }
      total = addDeclared(total, e, limits);
      if (!e.directory() && limits.ratioExceeded(e.size(), z.getCompressedSize())) {
        throw ratioTooHigh(e, limits);
      }
      checked.add(new Checked(z, e));
    }
    return checked;
  }

  private static ArchiveEntry classify(ZipArchiveEntry z) throws ArchiveException {
    String name = z.getName();
    checkName(name);
    int type = z.getUnixMode() & S_IFMT;
    if (z.isUnixSymlink()) {
      throw refused(name, "is a symbolic link");
    }
    if (type != 0 && type != S_IFREG && type != S_IFDIR) {
      throw refused(name, "is not a regular file or folder");
    }
    checkReadable(z);
    boolean directory = z.isDirectory() || type == S_IFDIR;
    return new ArchiveEntry(name, directory, z.getSize(), z.getUnixMode() & 07777);
  }

  private static void checkName(String name) throws ArchiveException {
    if (name.isEmpty()) {
      throw new ArchiveException("zip has an entry with an empty name");
    }
    if (name.indexOf('\0') >= 0) {
      throw refused(name, "contains a NUL byte");
    }
    if (name.startsWith("/") || name.startsWith("\\") || DRIVE.matcher(name).lookingAt()) {
      throw refused(name, "has an absolute path");
    }
    for (String segment : SEPARATORS.split(name, -1)) {
      if (segment.equals("..")) {
        throw refused(name, "escapes the plugin folder");
      }
    }
  }

  // Only the two methods every zip tool writes (and eKuiper's Go reader supports) are accepted.
  private static void checkReadable(ZipArchiveEntry z) throws ArchiveException {
    if (z.getGeneralPurposeBit().usesEncryption()) {
      throw refused(z.getName(), "is encrypted");
    }
    int method = z.getMethod();
    if (method != ZipEntry.STORED && method != ZipEntry.DEFLATED) {
      throw refused(z.getName(), "uses an unsupported compression method (" + method + ")");
    }
  }

  private static long addDeclared(long total, ArchiveEntry e, ArchiveLimits limits)
      throws ArchiveException {
    long size = Math.max(e.size(), 0);
    if (size > limits.maxTotalBytes() - total) {
      throw expandsTooMuch(limits);
    }
    return total + size;
  }

  /** The entry's path without empty and "." segments, so "a", "a/" and "./a" collide. */
  private static String key(String name) {
    List<String> segments = new ArrayList<>();
    for (String segment : SEPARATORS.split(name)) {
      if (!segment.isEmpty() && !segment.equals(".")) {
        segments.add(segment);
      }
    }
    return String.join("/", segments);
  }

  static ArchiveException refused(String name, String what) {
    return new ArchiveException("zip entry " + quote(name) + " " + what);
  }

  static ArchiveException expandsTooMuch(ArchiveLimits limits) {
    return new ArchiveException("zip expands to more than " + limits.maxTotalBytes() + " bytes");
  }

  static ArchiveException ratioTooHigh(ArchiveEntry e, ArchiveLimits limits) {
    return refused(e.name(), "has a compression ratio over " + limits.maxRatio() + ":1");
  }

  static ArchiveException corrupt(ArchiveEntry e, String detail, Throwable cause) {
    return new ArchiveException(CORRUPT + "entry " + quote(e.name()) + " " + detail, cause);
  }

  /** The name in double quotes, control characters escaped so the message stays one line. */
  static String quote(String name) {
    StringBuilder quoted = new StringBuilder("\"");
    name.codePoints()
        .forEach(
            c -> {
              if (c < 0x20 || c == 0x7f) {
                quoted.append(String.format("\\u%04x", c));
              } else {
                quoted.appendCodePoint(c);
              }
            });
    return quoted.append('"').toString();
  }
}
