/**
 * Child processes: install.sh runs with a timeout ({@link dev.kpm.process.ScriptRunner}), output
 * read line by line into a logger and a tail, whole-tree termination, and the record of live
 * children that lets a later start stop what a killed kpm left running. Imports nothing of kpm.
 */
package dev.kpm.process;
