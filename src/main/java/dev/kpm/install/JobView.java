package dev.kpm.install;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An install job as {@code GET /jobs/{id}} answers it (docs/api.md §8.15).
 *
 * @param id the job's id, which is its install record's id
 * @param operation {@code create} or {@code update}
 * @param state {@code running}, {@code succeeded} or {@code failed}
 * @param phase {@code queued}, {@code downloading}, {@code verifying}, {@code storing} (a large
 *     native archive stored for the fleet before it is extracted, when other nodes are live),
 *     {@code extracting}, {@code running install.sh}, {@code committing}, {@code starting process},
 *     {@code done} or {@code failed}
 * @param bytesDone bytes downloaded so far, while and after downloading
 * @param bytesTotal the download's size when the server said it
 * @param output the install.sh output so far (stdout and stderr lines, the last 64 KiB)
 * @param startedAt when the job was accepted (ISO-8601)
 * @param status the status the synchronous call answers (once ended)
 * @param text the text (success) or error message the synchronous call answers (once ended)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(
    long id,
    String type,
    String name,
    String operation,
    String state,
    String phase,
    Long bytesDone,
    Long bytesTotal,
    String output,
    String requestedBy,
    String startedAt,
    String finishedAt,
    Integer status,
    String text) {}
