package dev.kpm.bench;

import java.util.Locale;

/**
 * One figure of {@link InstallBench}: kpm's value next to its baseline from the same run, the
 * ratio, the target and whether it is met, with the CPU seconds of both sides. {@link #markdown()}
 * is the row of the bench's own table (with a CPU column); {@link #line()} is the machine-readable
 * line {@code bench/run.sh} gathers into its combined table, {@code id|figure|kpm|baseline|ratio|
 * target|PASS or MISS}, the CPU seconds inside the kpm and baseline cells (none when they are NaN:
 * a figure without CPU seconds).
 *
 * @param id the benchmark, e.g. {@code B1}, {@code B5} or {@code F1}
 * @param kpm kpm's figure, e.g. {@code 1.51 s}
 * @param baseline the baseline's figure and what it is, e.g. {@code 3.94 s `unzip -q` + `sync`}
 * @param pass whether the target is met; null for a figure without a target (result "—")
 */
record BenchRow(
    String id,
    String figure,
    String kpm,
    String baseline,
    String ratio,
    String target,
    Boolean pass,
    double kpmCpu,
    double baselineCpu) {

  String result() {
    return pass == null ? "—" : pass ? "PASS" : "MISS";
  }

  String markdown() {
    String cpu =
        Double.isNaN(kpmCpu)
            ? "—"
            : String.format(Locale.ROOT, "%.2f / %.2f s", kpmCpu, baselineCpu);
    return String.format(
        Locale.ROOT,
        "| %s %s | %s | %s | %s | %s | %s | %s |",
        id,
        figure,
        kpm,
        baseline,
        ratio,
        target,
        result(),
        cpu);
  }

  String line() {
    if (Double.isNaN(kpmCpu)) {
      return String.join("|", id, figure, kpm, baseline, ratio, target, result());
    }
    String kpmCell = String.format(Locale.ROOT, "%s (CPU %.2f s)", kpm, kpmCpu);
    String baseCell = String.format(Locale.ROOT, "%s (CPU %.2f s)", baseline, baselineCpu);
    return String.join("|", id, figure, kpmCell, baseCell, ratio, target, result());
  }
}
