package hwaas.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The console's job browser over at least {@link #RECORDS} records: first the node is given that many (batches of
 * 1000), then pages of {@link #PAGE} are read one after the other with their cursor, newest first, without a filter
 * while the node's workers still run those jobs (every page waits behind their writes to the same Redis); then, once
 * they all ran, without a filter and with one (a state and a type), as the page does. The rows are the time of one
 * page, p50, p99 and max.
 */
final class JobPagingBench {
  static final int RECORDS = 100_000;
  static final int PAGE = 100;
  /** Pages read per filter: a fifth of the records, far enough that a page deep in the index is measured. */
  static final int PAGES = 200;
  /** The target for each page; the max row shows whether every page met it. */
  static final int TARGET_MILLIS = 100;

  private final HttpLoad load;
  private final PrintStream out;

  /** Records given to the node first: {@link #RECORDS}, fewer in a short bench. */
  private final int records;

  JobPagingBench(HttpLoad load, PrintStream out, int records) {
    this.records = records;
    this.load = load;
    this.out = out;
  }

  /**
   * @param batchOf1000 the body of a batch of 1000 print jobs
   * @param awaitRan    waits until the node ran the jobs submitted here ({@link #records} of them)
   */
  List<BenchResult> run(Buffer batchOf1000, Runnable awaitRan) {
    for (int i = 0; i < records / 1000; i++) {
      HttpLoad.awaitBounded(load.fetch(new HttpLoad.Call(HttpMethod.POST, "/api/jobs/batch", batchOf1000, null, 202, 1000)), 30_000);
    }
    List<BenchResult> draining = rows("no filter, while the workers run them", "");
    awaitRan.run();
    return List.of(rows("no filter", ""), rows("state=completed&type=print", "&state=completed&type=print"), draining)
        .stream().flatMap(List::stream).toList();
  }

  private List<BenchResult> rows(String what, String filter) {
    Histogram micros = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      String uri = "/api/jobs?limit=" + PAGE + filter + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
      long began = System.nanoTime();
      JsonObject page = HttpLoad.awaitBounded(load.fetch(new HttpLoad.Call(HttpMethod.GET, uri, null, null, 200, 0)), 30_000)
          .toJsonObject();
      micros.recordValue(Math.min(micros.getHighestTrackableValue(), (System.nanoTime() - began) / 1_000));
      for (Object job : page.getJsonArray("jobs")) {
        if (!seen.add(((JsonObject) job).getString("id"))) {
          throw new IllegalStateException("page " + pages + " of " + what + " repeats job " + job);
        }
      }
      cursor = page.getString("cursor");
      pages++;
    } while (cursor != null && pages < PAGES);
    String name = String.format(Locale.ROOT, "REST GET /api/jobs page of %d over %,d+ records, %s", PAGE, records, what);
    double max = micros.getMaxValue() / 1000.0;
    out.printf(Locale.ROOT, "%s: %d pages, %d jobs, p50 %.1f ms, p99 %.1f ms, max %.1f ms: %s%n", name, pages, seen.size(),
        micros.getValueAtPercentile(50) / 1000.0, micros.getValueAtPercentile(99) / 1000.0, max,
        max < TARGET_MILLIS ? "every page under " + TARGET_MILLIS + " ms" : "NOT every page under " + TARGET_MILLIS + " ms");
    return List.of(BenchResult.of(name + ", p50", "ms", List.of(micros.getValueAtPercentile(50) / 1000.0)),
        BenchResult.of(name + ", p99", "ms", List.of(micros.getValueAtPercentile(99) / 1000.0)),
        BenchResult.of(name + ", max", "ms", List.of(max)));
  }
}
