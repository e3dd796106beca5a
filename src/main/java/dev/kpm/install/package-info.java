/**
 * The install pipeline: every change of a plugin — validate, download ({@code .download}), check
 * and extract the archive ({@code .archive}), run install.sh, move into place and commit ({@code
 * .staging}) — serialised per plugin ({@link dev.kpm.install.Jobs}), eKuiper's layout rules and
 * texts, drops, and the start-up reconcile.
 */
package dev.kpm.install;
