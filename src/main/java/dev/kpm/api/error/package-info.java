/** Exception mappers: every error leaves as eKuiper's {"error":code,"message":…} envelope. */
package dev.kpm.api.error;
