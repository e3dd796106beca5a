/** The install pipeline as verbs: validate, download, extract, run install.sh, commit. */
package dev.kpm.install;
