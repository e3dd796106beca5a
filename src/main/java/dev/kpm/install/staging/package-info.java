/**
 * The private work folder of one install and its move plan into the home folder — apply and undo,
 * both idempotent, which crash recovery relies on — and making the home folder durable before a
 * commit. Uses nothing of kpm. Entry points: {@link dev.kpm.install.staging.Staging}, {@link
 * dev.kpm.install.staging.Durability}.
 */
package dev.kpm.install.staging;
