/**
 * Plugin zips read safely: hostile entries, caps on entries, bytes and compression ratio checked on
 * the central directory before anything is written, then extraction with the zip's mode bits, never
 * wider. Uses nothing of kpm. Entry point: {@link dev.kpm.install.archive.SafeZip}.
 */
package dev.kpm.install.archive;
