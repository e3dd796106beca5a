package dev.kpm.install.download;

import java.nio.file.Path;

/**
 * A finished download.
 *
 * @param file the file written (fsynced)
 * @param sha256 its SHA-256, lowercase hex
 * @param bytes its length
 */
public record Download(Path file, String sha256, long bytes) {}
