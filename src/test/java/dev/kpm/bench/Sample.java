package dev.kpm.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Wall-clock and CPU seconds of one timed step of {@link InstallBench}. */
record Sample(double wall, double cpu) {

  /** The medians of the wall and of the CPU times, each taken on its own. */
  static Sample median(List<Sample> samples) {
    return new Sample(
        median(samples.stream().mapToDouble(Sample::wall).toArray()),
        median(samples.stream().mapToDouble(Sample::cpu).toArray()));
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%.2f/%.2f", wall, cpu);
  }
}
