package dev.kpm.api.dto;

import java.util.List;

/**
 * A page of the audit trail: events newest first, and the cursor of the next page (null at the
 * end).
 */
public record AuditPage(List<AuditEventInfo> events, String next) {}
