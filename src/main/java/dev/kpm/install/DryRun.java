package dev.kpm.install;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kpm.plugin.PortableSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a change would do, as {@code ?dryRun=true} answers it (docs/api.md §8.9): everything was
 * checked that can be checked without changing anything — the download, its sha256, the archive,
 * the portable json — and nothing was changed. {@code install.sh} is not run and no process is
 * started: their effects are not guessed.
 *
 * @param action {@code create}, {@code update} or {@code delete}
 * @param sha256 the downloaded zip's digest (create and update)
 * @param added files that would be put where none is, relative to the home folder
 * @param replaced files that would replace one already there
 * @param removed files that would be removed
 * @param installScript whether {@code install.sh} would run (a dry run never runs it)
 * @param restartNeeded whether eKuiper must restart for the change to take effect (native plugins)
 * @param process what would happen to the portable plugin's process, or null for native plugins
 * @param compat the compatibility check's verdict on a native plugin's {@code .so}, when installs
 *     are checked ({@code kpm.engine.binary})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DryRun(
    boolean dryRun,
    String action,
    String type,
    String name,
    String sha256,
    Long bytes,
    String versionBefore,
    String versionAfter,
    List<String> added,
    List<String> replaced,
    List<String> removed,
    List<String> symbolsRegistered,
    List<String> symbolsRemoved,
    boolean installScript,
    boolean restartNeeded,
    String process,
    CompatReport.Plugin compat,
    String note) {

  public static final String NOTE =
      "dry run: nothing was changed; install.sh was not run and no process was started";

  /**
   * A portable plugin's symbols as {@code source:<name>}, {@code sink:<name>}, {@code
   * function:<name>}.
   */
  static List<String> symbolsOf(PortableSpec spec) {
    List<String> out = new ArrayList<>();
    if (spec != null) {
      spec.sources().forEach(n -> out.add("source:" + n));
      spec.sinks().forEach(n -> out.add("sink:" + n));
      spec.functions().forEach(n -> out.add("function:" + n));
    }
    return out;
  }

  /** What is in {@code after} but not in {@code before}. */
  static List<String> minus(List<String> after, List<String> before) {
    return after.stream().filter(s -> !before.contains(s)).toList();
  }

  /** Splits a move plan ({@code put:}/{@code drop:} entries) by what is on disk now. */
  static List<List<String>> classify(Path home, List<String> manifest) {
    List<String> added = new ArrayList<>();
    List<String> replaced = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    for (String entry : manifest) {
      String rel = entry.substring(entry.indexOf(':') + 1);
      if (entry.startsWith("drop:")) {
        removed.add(rel);
      } else if (Files.exists(home.resolve(rel))) {
        replaced.add(rel);
      } else {
        added.add(rel);
      }
    }
    return List.of(added, replaced, removed);
  }
}
