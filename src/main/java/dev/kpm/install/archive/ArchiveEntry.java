package dev.kpm.install.archive;

/**
 * One zip entry as the installer classifies it: raw entry name (as stored), directory flag,
 * declared uncompressed size (-1 unknown), Unix permission bits (mode &amp; 07777, 0 when the zip
 * has none).
 */
public record ArchiveEntry(String name, boolean directory, long size, int unixMode) {}
