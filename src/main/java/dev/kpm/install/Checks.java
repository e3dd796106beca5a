package dev.kpm.install;

import dev.kpm.install.archive.ArchiveEntry;
import dev.kpm.install.archive.ArchiveException;
import dev.kpm.install.download.Download;
import dev.kpm.install.download.DownloadException;
import dev.kpm.install.download.Downloader;
import dev.kpm.install.download.SourceUrl;
import dev.kpm.install.layout.InstallRequest;
import dev.kpm.install.layout.NativeArchive;
import dev.kpm.install.staging.Staging;
import dev.kpm.plugin.PluginException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The install steps' checks and their eKuiper error texts, shared by every installer. */
final class Checks {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

  private Checks() {}

  /** A step that may refuse the archive or fail on I/O. */
  @FunctionalInterface
  interface Step<T> {
    T run() throws ArchiveException, DownloadException, IOException, InterruptedException;
  }

  /** An I/O step without a refusal. */
  @FunctionalInterface
  interface IoStep<T> {
    T run() throws IOException;
  }

  /** An I/O action without a result. */
  @FunctionalInterface
  interface IoAction {
    void run() throws IOException;
  }

  static URI uri(String file, String prefix) {
    return SourceUrl.parse(file)
        .orElseThrow(() -> PluginException.invalid(prefix + "invalid uri " + file));
  }

  /** Downloads into the staging folder; checks the optional sha256 before and after. */
  static Download download(
      Downloader downloader, URI uri, InstallRequest req, Staging staging, String prefix) {
    String fail = prefix + "fail to download file " + req.file() + ": ";
    req.sha256()
        .filter(s -> !SHA256.matcher(s).matches())
        .ifPresent(
            s -> {
              throw PluginException.invalid(
                  prefix + "invalid sha256 " + s + ": expected 64 hexadecimal digits");
            });
    Download download =
        run(
            fail,
            () ->
                downloader.fetch(
                    uri,
                    staging.download(),
                    downloader.maxBytes(),
                    size -> JobBoard.current().ifPresent(j -> j.bytesTotal(size))));
    req.sha256()
        .filter(expected -> !expected.equalsIgnoreCase(download.sha256()))
        .ifPresent(
            expected -> {
              throw PluginException.invalid(
                  fail
                      + "sha256 mismatch: expected "
                      + expected.toLowerCase()
                      + ", got "
                      + download.sha256()
                      + " after "
                      + download.bytes()
                      + " bytes");
            });
    return download;
  }

  /** Runs archive work; a refusal or an I/O failure becomes {@code <fail><message>}. */
  static <T> T archive(String fail, Step<T> step) {
    return run(fail, step);
  }

  private static <T> T run(String fail, Step<T> step) {
    try {
      return step.run();
    } catch (ArchiveException | DownloadException | IOException e) {
      throw PluginException.invalid(fail + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PluginException.invalid(fail + "interrupted while kpm was stopping");
    }
  }

  static boolean hasInstallScript(List<ArchiveEntry> entries) {
    return entries.stream().anyMatch(e -> !e.directory() && e.name().equals("install.sh"));
  }

  /** eKuiper: shell parameters need an install.sh to receive them. */
  static void shellParas(List<String> shellParas, boolean script) throws ArchiveException {
    if (!shellParas.isEmpty() && !script) {
      throw new ArchiveException(
          "have shell parameters : [" + String.join(" ", shellParas) + "] but no install.sh file");
    }
  }

  /**
   * The staging paths of an entry's target. Entries for the script folder are only written when an
   * install.sh will run there: without one nothing reads them (eKuiper writes them to its temp
   * folder and removes it unread), so they are only read and checked.
   */
  static List<Path> destinations(NativeArchive.Target target, Staging staging, boolean script) {
    List<Path> paths = new ArrayList<>();
    target.home().forEach(rel -> paths.add(staging.staged(rel)));
    if (script && target.scratch() != null) {
      paths.add(staging.scratch().resolve(target.scratch()));
    }
    return paths;
  }

  static <T> T io(IoStep<T> step) {
    try {
      return step.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void act(IoAction action) {
    io(
        () -> {
          action.run();
          return null;
        });
  }

  /** A failure while moving files into place: I/O errors read as install failures. */
  static RuntimeException unchecked(String prefix, Exception e) {
    if (e instanceof RuntimeException re) {
      return re;
    }
    return PluginException.invalid(prefix + "fail to install plugin: " + e.getMessage());
  }
}
