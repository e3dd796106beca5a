/**
 * Plugin downloads: {@code file}, {@code http} and {@code https} URLs fetched into one file with
 * the download policy's checks (size cap, timeout, hosts, private networks, redirects) and a
 * SHA-256 computed while streaming. Uses nothing of kpm. Entry points: {@link
 * dev.kpm.install.download.Downloader}, {@link dev.kpm.install.download.SourceUrl}.
 */
package dev.kpm.install.download;
