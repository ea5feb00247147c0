package hwaas.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One line of the benchmark's table: a figure, the median of its rounds, and its share of the raw Redis ceiling. */
record BenchResult(String measurement, double median, String unit, List<Double> rounds, Double ofCeiling) {

  static BenchResult of(String measurement, String unit, List<Double> rounds) {
    List<Double> sorted = new ArrayList<>(rounds);
    sorted.sort(Double::compare);
    int n = sorted.size();
    double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    return new BenchResult(measurement, median, unit, rounds, null);
  }

  BenchResult relativeTo(BenchResult ceiling) {
    return new BenchResult(measurement, median, unit, rounds, median / ceiling.median());
  }

  static String table(List<BenchResult> results) {
    StringBuilder t = new StringBuilder(String.format(Locale.ROOT, "| %-46s | %14s | %-8s | %-7s | %s |%n",
        "measurement", "median", "unit", "ceiling", "rounds"));
    t.append("|").append("-".repeat(48)).append("|").append("-".repeat(16)).append("|").append("-".repeat(10))
        .append("|").append("-".repeat(9)).append("|").append("-".repeat(8)).append("|\n");
    for (BenchResult r : results) {
      t.append(String.format(Locale.ROOT, "| %-46s | %14s | %-8s | %-7s | %s |%n", r.measurement(), number(r.median()),
          r.unit(), r.ofCeiling() == null ? "" : Math.round(r.ofCeiling() * 100) + " %",
          String.join(" ", r.rounds().stream().map(BenchResult::number).toList())));
    }
    return t.toString();
  }

  private static String number(double v) {
    return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
  }
}
