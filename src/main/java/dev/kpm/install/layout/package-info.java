/**
 * eKuiper's rules, decided from the request and the zip's entry list alone: request bodies ({@link
 * dev.kpm.install.layout.Requests}), where each entry of a native plugin zip goes and which files
 * it needs ({@link dev.kpm.install.layout.NativeArchive}), a portable plugin's zip and its {@code
 * <name>.json} ({@link dev.kpm.install.layout.PortableArchive}, {@link
 * dev.kpm.install.layout.PortableJson}), all with eKuiper's texts.
 */
package dev.kpm.install.layout;
