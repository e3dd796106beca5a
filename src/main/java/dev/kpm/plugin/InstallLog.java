package dev.kpm.plugin;

/**
 * What an install attempt leaves in its record besides its outcome.
 *
 * @param exitCode of install.sh, null when none ran
 */
public record InstallLog(
    Long bytes, String sha256, Integer exitCode, String stdoutTail, String stderrTail) {
  public static final InstallLog EMPTY = new InstallLog(null, null, null, null, null);
}
