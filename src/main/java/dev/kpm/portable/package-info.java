/**
 * The portable plugin host: one supervised process per plugin, its control channel, command journal
 * and data channels, speaking eKuiper's runtime protocol (shared/PORTABLE.md).
 */
package dev.kpm.portable;
