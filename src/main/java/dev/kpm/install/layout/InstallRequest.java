package dev.kpm.install.layout;

import java.util.List;
import java.util.Optional;

/**
 * A create or update body: eKuiper's {@code name}, {@code file}, {@code shellParas}, {@code
 * functions} and kpm's optional {@code sha256}. Absent strings are "" and absent lists empty, as
 * Go's decoder leaves them.
 *
 * @param functions present only when the body had a non-empty list (functions only)
 */
public record InstallRequest(
    String name,
    String file,
    List<String> shellParas,
    Optional<List<String>> functions,
    Optional<String> sha256) {}
