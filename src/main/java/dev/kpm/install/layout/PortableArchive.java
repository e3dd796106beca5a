package dev.kpm.install.layout;

import dev.kpm.install.archive.ArchiveEntry;
import dev.kpm.install.archive.ArchiveException;
import dev.kpm.plugin.PortableSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * eKuiper's zip rules for a portable plugin (docs/api.md §6.2, §6.3): symbol configs below {@code
 * sources/}, {@code sinks/}, {@code functions/} go to {@code etc/} and {@code data/}; everything
 * else to {@code plugins/portable/<name>/}. Decided from the entry list alone.
 */
public final class PortableArchive {
  private final String name;

  public PortableArchive(String name) {
    this.name = name;
  }

  /** The {@code <name>.json} entry must exist at the root. */
  public ArchiveEntry requireJson(List<ArchiveEntry> entries) throws ArchiveException {
    return entries.stream()
        .filter(e -> !e.directory() && clean(e.name()).equals(name + ".json"))
        .findFirst()
        .orElseThrow(
            () ->
                new ArchiveException(
                    "missing or invalid json file "
                        + name
                        + ".json, found "
                        + entries.size()
                        + " files in total"));
  }

  /** Every required file must be in the archive: the json, the executable, each source yaml. */
  public void requireFiles(List<ArchiveEntry> entries, PortableSpec spec) throws ArchiveException {
    List<String> names =
        entries.stream().filter(e -> !e.directory()).map(e -> clean(e.name())).toList();
    List<String> required = new ArrayList<>();
    required.add(name + ".json");
    required.add(spec.executable());
    if (spec.sources() != null) {
      spec.sources().forEach(s -> required.add("sources/" + s + ".yaml"));
    }
    for (String file : required) {
      if (!names.contains(file)) {
        throw new ArchiveException("missing " + file);
      }
    }
  }

  /** Where an entry goes, relative to the home folder. */
  public List<String> targets(ArchiveEntry entry) {
    String n = clean(entry.name());
    if (n.startsWith("sources/") || n.startsWith("sinks/") || n.startsWith("functions/")) {
      return List.of("etc/" + n, "data/" + n);
    }
    return List.of("plugins/portable/" + name + "/" + n);
  }

  public boolean isInstallScript(ArchiveEntry entry) {
    return !entry.directory() && clean(entry.name()).equals("install.sh");
  }

  /** Go's path.Clean of an entry name, enough for names SafeZip accepted (no .., not absolute). */
  static String clean(String entryName) {
    String n = entryName.replace('\\', '/');
    while (n.startsWith("./")) {
      n = n.substring(2);
    }
    n = n.replace("/./", "/").replaceAll("/+", "/");
    return n.endsWith("/") ? n.substring(0, n.length() - 1) : n;
  }
}
