/** Child processes: output read line by line into a logger and a tail, whole-tree termination. */
package dev.kpm.process;
