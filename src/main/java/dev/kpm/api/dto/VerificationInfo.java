package dev.kpm.api.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kpm.audit.Verification;

/** What {@code GET /audit/verify} answers (docs/api.md §12.3). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VerificationInfo(boolean ok, long checked, End anchor, End head, Break firstBreak) {

  /** One end of the chain: an event's number and hash. */
  public record End(long seq, String hash) {}

  /** Where the chain breaks and why. */
  public record Break(long seq, String reason) {}

  public static VerificationInfo from(Verification v) {
    return new VerificationInfo(
        v.ok(),
        v.checked(),
        new End(v.anchorSeq(), v.anchorHash()),
        new End(v.headSeq(), v.headHash()),
        v.ok() ? null : new Break(v.breakSeq(), v.reason()));
  }
}
