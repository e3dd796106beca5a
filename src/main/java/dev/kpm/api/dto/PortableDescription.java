package dev.kpm.api.dto;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * {@code GET /plugins/portables/{name}}: the info object merged with the status fields, so readers
 * of either of eKuiper's documented shapes find what they expect (docs/api.md §9).
 */
public record PortableDescription(
    @JsonUnwrapped PortableInfo info, @JsonUnwrapped PortableStatusInfo status) {}
