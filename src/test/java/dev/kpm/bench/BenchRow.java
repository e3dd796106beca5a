package dev.kpm.bench;

import java.util.Locale;

/**
 * One figure of {@link InstallBench}: kpm's value next to its baseline from the same run, the
 * ratio, the target and whether it is met, with the CPU seconds of both sides. {@link #markdown()}
 * is the row of the bench's own table (with a CPU column); {@link #line()} is the machine-readable
 * line {@code bench/run.sh} gathers into its combined table, {@code id|figure|kpm|baseline|ratio|
 * target|PASS or MISS}, the CPU seconds inside the kpm and baseline cells.
 *
 * @param id the benchmark, {@code B1} or {@code B5}
 * @param kpm kpm's figure, e.g. {@code 1.51 s}
 * @param baseline the baseline's figure and what it is, e.g. {@code 3.94 s `unzip -q` + `sync`}
 */
record BenchRow(
    String id,
    String figure,
    String kpm,
    String baseline,
    String ratio,
    String target,
    boolean pass,
    double kpmCpu,
    double baselineCpu) {

  String result() {
    return pass ? "PASS" : "MISS";
  }

  String markdown() {
    return String.format(
        Locale.ROOT,
        "| %s %s | %s | %s | %s | %s | %s | %.2f / %.2f s |",
        id,
        figure,
        kpm,
        baseline,
        ratio,
        target,
        result(),
        kpmCpu,
        baselineCpu);
  }

  String line() {
    String kpmCell = String.format(Locale.ROOT, "%s (CPU %.2f s)", kpm, kpmCpu);
    String baseCell = String.format(Locale.ROOT, "%s (CPU %.2f s)", baseline, baselineCpu);
    return String.join("|", id, figure, kpmCell, baseCell, ratio, target, result());
  }
}
