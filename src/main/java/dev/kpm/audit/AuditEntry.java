package dev.kpm.audit;

/** A stored audit event: its number in the chain, its content and the chain's two hashes. */
public record AuditEntry(long seq, AuditEvent event, String prevHash, String hash) {}
