/**
 * eKuiper's configuration uploads: files in {@code <home>/data/uploads} that plugins and rules
 * refer to by absolute path (a plugin zip installed with a {@code file://} URL, a certificate, a
 * schema). {@link dev.kpm.upload.Uploads} stores them — streamed to a hidden temporary file in the
 * folder, counted against {@code kpm.uploads.maxBytes} and digested while written, synced, then
 * renamed into place, so a failed upload leaves nothing and a replaced file is never half written —
 * from a multipart form ({@link dev.kpm.upload.MultipartReader}, which holds one buffer of the
 * body), from JSON text, or from a URL fetched with the plugin downloader and its policy. Names are
 * one path element ({@link dev.kpm.upload.FileNames}). Uses {@code install.download} only.
 */
package dev.kpm.upload;
