package dev.kpm.upload;

import java.nio.file.Path;

/**
 * A file stored in the uploads folder.
 *
 * @param name its name in the folder
 * @param path its absolute path, as eKuiper answers and lists it
 * @param bytes its length
 * @param sha256 its SHA-256, lowercase hex, computed while it was written
 */
public record Upload(String name, Path path, long bytes, String sha256) {}
