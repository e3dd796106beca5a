/**
 * The portable plugin host: one supervised process per plugin, its control channel, command journal
 * and data channels, speaking eKuiper's runtime protocol (docs/portable-protocol.md).
 */
package dev.kpm.portable;
