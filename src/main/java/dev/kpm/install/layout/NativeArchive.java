package dev.kpm.install.layout;

import dev.kpm.install.archive.ArchiveEntry;
import dev.kpm.install.archive.ArchiveException;
import dev.kpm.plugin.HomeLayout;
import dev.kpm.plugin.PluginType;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * eKuiper's zip rules for a native plugin (docs/api.md §5.1–5.5): where each entry goes, relative
 * to the home folder or to the script folder, and whether the archive is complete. kpm keeps a
 * pre-existing source yaml and accepts the install (docs/api.md §9.2). Decided from the entry list
 * alone, before anything is extracted.
 */
public final class NativeArchive {
  private final PluginType type;
  private final String name;
  private final HomeLayout home;
  private final Pattern soName;
  private final Set<String> replaceable;

  /**
   * @param replaceable files (relative to the home folder) of the version being replaced: an update
   *     may overwrite them, so they do not count as pre-existing
   */
  public NativeArchive(PluginType type, String name, HomeLayout home, Set<String> replaceable) {
    this.type = type;
    this.name = name;
    this.home = home;
    this.replaceable = replaceable;
    String upper = name.substring(0, 1).toUpperCase() + name.substring(1);
    this.soName =
        Pattern.compile("(" + Pattern.quote(name) + "|" + Pattern.quote(upper) + ")(@[^/]*)?\\.so");
  }

  /** Where one entry goes: paths relative to the home folder, or to the script folder. */
  public record Target(List<String> home, String scratch) {}

  public Target target(ArchiveEntry entry) {
    String n = entry.name();
    if (isYaml(n)) {
      return keepsExistingYaml()
          ? new Target(List.of(), null)
          : homeOnly(configCopies(name + ".yaml"));
    }
    if (n.equals(name + ".json")) {
      return homeOnly(configCopies(name + ".json"));
    }
    if (isSo(n)) {
      return homeOnly(List.of("plugins/" + type.folder() + "/" + n));
    }
    if (n.startsWith("etc/")) {
      String rest = n.substring("etc/".length());
      return homeOnly(configCopies(rest.isEmpty() ? name : name + "/" + rest));
    }
    return new Target(List.of(), n);
  }

  private static Target homeOnly(List<String> rels) {
    return new Target(rels, null);
  }

  private List<String> configCopies(String rel) {
    return List.of("etc/" + type.folder() + "/" + rel, "data/" + type.folder() + "/" + rel);
  }

  private boolean isYaml(String entryName) {
    return type == PluginType.SOURCES && entryName.equals(name + ".yaml");
  }

  private boolean isSo(String entryName) {
    return soName.matcher(entryName).matches();
  }

  /**
   * Whether a source's yaml config already in the home (not the replaced version's) is kept, so the
   * archive's yaml is not installed: extraction depends on it, and on nothing else of the home.
   */
  public boolean keepsExistingYaml() {
    String rel = "etc/" + type.folder() + "/" + name + ".yaml";
    return !replaceable.contains(rel) && Files.exists(home.base().resolve(rel));
  }

  /** The one {@code .so} entry of a complete archive; else eKuiper's "invalid zip file" text. */
  public String requireComplete(List<ArchiveEntry> entries) throws ArchiveException {
    List<String> counted = new ArrayList<>();
    List<String> so = new ArrayList<>();
    boolean yaml = false;
    for (ArchiveEntry e : entries) {
      if (isYaml(e.name())) {
        yaml = true;
        counted.add(absolute("etc/" + type.folder() + "/" + name + ".yaml"));
        if (!keepsExistingYaml()) {
          counted.add(absolute("data/" + type.folder() + "/" + name + ".yaml"));
        }
      } else if (isSo(e.name())) {
        so.add(e.name());
        counted.add(absolute("plugins/" + type.folder() + "/" + e.name()));
      }
    }
    if (so.size() == 1 && (yaml || type != PluginType.SOURCES)) {
      return so.get(0);
    }
    throw new ArchiveException(
        "invalid zip file: expectFiles: "
            + (type == PluginType.SOURCES ? 3 : 1)
            + ", got filenames:["
            + String.join(" ", counted)
            + "], zipFiles: ["
            + String.join(" ", entries.stream().map(ArchiveEntry::name).toList())
            + "], yamlFileChecked:"
            + yaml
            + ", soFileChecked:"
            + !so.isEmpty());
  }

  private String absolute(String rel) {
    return home.base().resolve(rel).toString();
  }

  /** eKuiper's parseName: the version of a {@code .so} file name ({@code Random@v1.0.0.so}). */
  public static String version(String soFile) {
    String stem = soFile.substring(0, soFile.indexOf(".so"));
    String[] parts = stem.split("@", -1);
    return parts.length > 1 ? parts[1] : "";
  }

  /** eKuiper's parseName: the plugin name of a {@code .so} file name, first letter lower-cased. */
  public static String pluginName(String soFile) {
    String stem = soFile.substring(0, soFile.indexOf(".so")).split("@", -1)[0];
    return stem.isEmpty() ? stem : stem.substring(0, 1).toLowerCase() + stem.substring(1);
  }
}
