/**
 * The portable plugin host: one supervised process per plugin, its control channel, command journal
 * and data channels, speaking eKuiper's runtime protocol (docs/portable-protocol.md), and {@link
 * dev.kpm.portable.PortableRuntime}, what the API reads of and does with the running plugins.
 */
package dev.kpm.portable;
