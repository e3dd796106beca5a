/** Wire records that match eKuiper's JSON exactly, each mapped from a domain view by from(…). */
package dev.kpm.api.dto;
