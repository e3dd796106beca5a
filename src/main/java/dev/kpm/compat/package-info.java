/**
 * The check Go's plugin loader makes at {@code plugin.Open}, done in plain Java on the files: a Go
 * plugin {@code .so} against a plugin-capable Go host (eKuiper's {@code kuiperd}), from their ELF
 * dynamic symbols, relocations, build info and C library. Uses nothing of kpm. Entry points: {@link
 * dev.kpm.compat.GoBinaries} and {@link dev.kpm.compat.Compatibility}.
 */
package dev.kpm.compat;
