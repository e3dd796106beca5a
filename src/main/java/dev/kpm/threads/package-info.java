/** Named, tracked daemon threads for every executor kpm owns. Imports nothing of kpm. */
package dev.kpm.threads;
