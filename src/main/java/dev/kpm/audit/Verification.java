package dev.kpm.audit;

/**
 * What {@code GET /audit/verify} found (docs/api.md §12.3).
 *
 * @param ok whether the chain is unbroken from the anchor to the head
 * @param checked how many events were checked
 * @param anchorSeq the event the chain starts after (0, or the last one the retention purge
 *     removed)
 * @param headSeq the newest event as the chain's head records it
 * @param breakSeq the number of the first event where the chain breaks; null when ok
 * @param reason what is wrong there; null when ok
 */
public record Verification(
    boolean ok,
    long checked,
    long anchorSeq,
    String anchorHash,
    long headSeq,
    String headHash,
    Long breakSeq,
    String reason) {}
