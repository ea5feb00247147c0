package hwaas.queue;

import hwaas.jobs.Job;
import hwaas.redis.RedisSettings;
import hwaas.testing.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console's reads over three partitions (job listing and its cursor, clients' and overview's figures, the newest
 * job), on the real Redis: a single one, since a partition is only a key prefix and each read goes to one partition.
 * Jobs are written as the API writes them ({@link JobRecords}), with ids that name their partition.
 */
@ExtendWith(VertxExtension.class)
class PartitionedConsoleTest {
  private static final Duration TTL = Duration.ofHours(1);
  private final String tag = "{pct-" + UUID.randomUUID().toString().substring(0, 8) + "}";
  private final Partitions partitions = Partitions.spread(tag, 3);
  private final Random random = new Random(7);
  /** Every job written, as {created, id, partition, type, client, status}: what a listing must show. */
  private final List<Written> written = new ArrayList<>();
  private final long t0 = System.currentTimeMillis() - 600_000;
  private Redis redis;
  private JobSearch search;

  private record Written(long created, String id, int partition, String type, String client, String status) {
  }

  /** Oldest first, ties as a sorted set orders them: by id. */
  private static final Comparator<Written> OLDEST = Comparator.comparingLong(Written::created).thenComparing(Written::id);

  @BeforeEach
  void redis(Vertx vertx) {
    redis = Redis.createClient(vertx, RedisSettings.defaults().withUrl(TestRedis.url()).options());
    search = new JobSearch(redis, partitions);
  }

  @AfterEach
  void close() {
    redis.close();
  }

  @Test
  @DisplayName("a listing merges the partitions by creation time, ties in one millisecond by id, newest and oldest first")
  void listsMerged() throws Exception {
    spreadJobs();
    assertEquals(ids(OLDEST.reversed(), w -> true), listAll(query(null, null, null, 1000, false)));
    assertEquals(ids(OLDEST, w -> true), listAll(query(null, null, null, 1000, true)));
    JobSearch.Page all = await(search.page(query(null, null, null, 1000, false)));
    assertEquals(written.size(), all.jobs().size());
    assertNull(all.cursor(), "one page holds them all: no next");
  }

  @Test
  @DisplayName("pages of 1, 2 and 3 jobs walk every job once, in order, across the partitions, both ways")
  void pagesAcrossPartitions() throws Exception {
    spreadJobs();
    for (int limit = 1; limit <= 3; limit++) {
      for (boolean oldestFirst : new boolean[] {true, false}) {
        List<String> expected = ids(oldestFirst ? OLDEST : OLDEST.reversed(), w -> true);
        assertEquals(expected, listAll(query(null, null, null, limit, oldestFirst)), "limit " + limit + ", oldest first " + oldestFirst);
      }
    }
  }

  @Test
  @DisplayName("jobs added between pages: oldest first they come at the end, newest first none shows and none repeats")
  void jobsArriveBetweenPages() throws Exception {
    spreadJobs();
    List<String> before = ids(OLDEST.reversed(), w -> true);
    List<String> newestFirst = new ArrayList<>();
    JobSearch.Page page = await(search.page(query(null, null, null, 2, false)));
    page.jobs().forEach(j -> newestFirst.add(j.getString("id")));
    arrive(3);
    newestFirst.addAll(listFrom(query(null, null, null, 2, false), page.cursor()));
    assertEquals(before, newestFirst, "the jobs there when the walk began, each once, newest first");

    List<String> oldestFirst = new ArrayList<>();
    page = await(search.page(query(null, null, null, 3, true)));
    page.jobs().forEach(j -> oldestFirst.add(j.getString("id")));
    arrive(3);
    oldestFirst.addAll(listFrom(query(null, null, null, 3, true), page.cursor()));
    assertEquals(ids(OLDEST, w -> true), oldestFirst, "every job, the ones that arrived at the end");
  }

  @Test
  @DisplayName("filters by state, type and client hold in every partition, page by page")
  void filtersAcrossPartitions() throws Exception {
    spreadJobs();
    for (int limit : new int[] {1, 2, 1000}) {
      assertEquals(ids(OLDEST, w -> w.status().equals("completed")), listAll(query("completed", null, null, limit, true)));
      assertEquals(ids(OLDEST.reversed(), w -> w.status().equals("queued")), listAll(query("queued", null, null, limit, false)));
      assertEquals(ids(OLDEST.reversed(), w -> w.type().equals("sum")), listAll(query(null, "sum", null, limit, false)));
      assertEquals(ids(OLDEST, w -> w.client().equals("bob")), listAll(query(null, null, "bob", limit, true)));
      assertEquals(ids(OLDEST, w -> w.client().equals("bob") && w.type().equals("sleep") && w.status().equals("queued")),
          listAll(query("queued", "sleep", "bob", limit, true)));
    }
    List<String> filtered = ids(OLDEST, w -> w.client().equals("alice"));
    assertTrue(filtered.size() >= 3 && written.stream().filter(w -> w.client().equals("alice")).map(Written::partition)
        .distinct().count() == 3, "the client filter is tried on jobs of every partition");
  }

  @Test
  @DisplayName("a cursor resumes after its job however often it is used, and a cursor written as score:id still parses")
  void cursorResumes() throws Exception {
    spreadJobs();
    List<String> newest = ids(OLDEST.reversed(), w -> true);
    JobSearch.Page first = await(search.page(query(null, null, null, 3, false)));
    assertEquals(newest.subList(0, 3), first.jobs().stream().map(j -> j.getString("id")).toList());
    for (int i = 0; i < 2; i++) {
      JobSearch.Page second = await(search.page(withCursor(query(null, null, null, 3, false), first.cursor())));
      assertEquals(newest.subList(3, 6), second.jobs().stream().map(j -> j.getString("id")).toList());
    }
    // A position by hand, as cursors have always been written: the walk goes on strictly after that job.
    Written fifth = written.stream().sorted(OLDEST.reversed()).toList().get(4);
    String cursor = Base64.getUrlEncoder().withoutPadding()
        .encodeToString((fifth.created() + ":" + fifth.id()).getBytes(StandardCharsets.UTF_8));
    assertEquals(newest.subList(5, newest.size()), listFrom(query(null, null, null, 4, false), cursor));
  }

  @Test
  @DisplayName("one partition stopped by the 5,000-entry budget: its cursor cuts the page, no job is skipped or repeated")
  void budgetCutsThePage() throws Exception {
    // Partition 1's queued index: 6,000 print jobs, one a millisecond from t0 + 1 s, where it has no sum job and the
    // other two partitions have several: a walk of it that starts before them stops unfinished, in their midst.
    List<Request> noise = new ArrayList<>();
    for (int i = 0; i < 6_000; i++) {
      noise.addAll(new JobRecords(partitions.get(1), TTL).queued(job(1, "print"), "noise", t0 + 1_000 + i));
      if (noise.size() > 5_000) {
        await(redis.batch(noise));
        noise.clear();
      }
    }
    await(redis.batch(noise));
    for (int k = 0; k < 10; k++) {
      write(0, "sum", "alice", t0 + 1_000L * k, false);
      write(2, "sum", "alice", t0 + 1_000L * k + 2, false);
    }
    for (long at : new long[] {1, 8_000, 9_001}) {
      write(1, "sum", "alice", t0 + at, false); // 8,000: a tie with partition 0
    }
    for (int limit : new int[] {4, 20}) {
      for (boolean oldestFirst : new boolean[] {true, false}) {
        List<String> shown = new ArrayList<>();
        String cursor = null;
        int calls = 0;
        boolean cut = false;
        do {
          JobSearch.Page page = await(search.page(withCursor(query("queued", "sum", null, limit, oldestFirst), cursor)));
          page.jobs().forEach(j -> shown.add(j.getString("id")));
          cut |= page.cursor() != null && page.jobs().size() < limit;
          cursor = page.cursor();
          calls++;
        } while (cursor != null && calls < 50);
        String walk = "limit " + limit + ", oldest first " + oldestFirst;
        assertEquals(ids(oldestFirst ? OLDEST : OLDEST.reversed(), w -> true), shown, walk);
        if (limit == 20) {
          assertTrue(cut, "partition 1 ran out of budget and cut a page short: " + walk);
        }
      }
    }
  }

  @Test
  @DisplayName("q with a whole id finds a partition-2 job by its record; a prefix finds that partition's jobs")
  void findsById() throws Exception {
    spreadJobs();
    Written target = written.stream().filter(w -> w.partition() == 2).findFirst().orElseThrow();
    JobSearch.Page found = await(search.page(new JobSearch.Query(null, null, null, target.id(), null, null, 20, null, false)));
    assertEquals(List.of(target.id()), found.jobs().stream().map(j -> j.getString("id")).toList());
    assertEquals(target.client(), found.jobs().get(0).getString("client"));
    assertNull(found.cursor());
    assertEquals(ids(OLDEST.reversed(), w -> w.partition() == 2),
        listAll(new JobSearch.Query(null, null, null, "api-p02-", null, null, 2, null, false)));
  }

  @Test
  @DisplayName("the newest job is the newest of every partition; a tie in one millisecond goes to the greater id")
  void newestOfAll() throws Exception {
    assertNull(await(search.newest()), "no jobs yet");
    write(0, "sum", "alice", t0 + 10, false);
    write(1, "print", "alice", t0 + 30, false);
    write(2, "sleep", "bob", t0 + 20, false);
    assertEquals(written.get(1).id(), await(search.newest()));
    write(0, "sum", "alice", t0 + 40, false);
    write(2, "sum", "alice", t0 + 40, false);
    assertEquals(written.get(4).id(), await(search.newest()), "api-p02-… comes after api-… in the same millisecond");
    JobSearch single = new JobSearch(redis, Partitions.single(partitions.home().prefix()));
    assertEquals(written.get(3).id(), await(single.newest()), "on one partition, its own newest");
  }

  @Test
  @DisplayName("a client's figures add up its jobs of every partition; the list orders clients by their last job anywhere")
  void clientFiguresAddUp() throws Exception {
    long now = System.currentTimeMillis();
    write(0, "sum", "alice", now - 20_000, false);
    write(1, "sum", "alice", now - 90_000, false);
    write(2, "sum", "alice", now - 5_000, true);
    write(1, "print", "bob", now - 600_000, false);
    write(2, "print", "bob", now - 7_200_000, false);
    write(0, "print", "carol", now - 1_000, true);
    ClientFigures figures = new ClientFigures(redis, partitions);

    JsonArray list = await(figures.list(10));
    assertEquals(List.of("carol", "alice", "bob"), list.stream().map(r -> ((JsonObject) r).getString("client")).toList());
    JsonObject alice = list.getJsonObject(1);
    assertEquals(Instant.ofEpochMilli(now - 5_000).toString(), alice.getString("lastSeen"));
    assertEquals(3L, alice.getLong("lastHour"));
    assertEquals(2L, alice.getLong("lastMinute"));
    JsonObject bob = list.getJsonObject(2);
    assertEquals(Instant.ofEpochMilli(now - 600_000).toString(), bob.getString("lastSeen"));
    assertEquals(1L, bob.getLong("lastHour"));
    assertEquals(0L, bob.getLong("lastMinute"));
    assertEquals(List.of("carol", "alice"), await(figures.list(2)).stream()
        .map(r -> ((JsonObject) r).getString("client")).toList(), "the first two over all partitions");

    JsonObject one = await(figures.one("alice"));
    assertEquals(Instant.ofEpochMilli(now - 5_000).toString(), one.getString("lastSeen"));
    assertEquals(3L, one.getLong("lastHour"));
    assertEquals(2L, one.getLong("lastMinute"));
    assertEquals(2L, one.getJsonObject("byState").getLong("queued"));
    assertEquals(1L, one.getJsonObject("byState").getLong("completed"));
    assertEquals(0L, one.getJsonObject("byState").getLong("failed"));
    assertEquals(3L, one.getLong("byStateOf"));
    JsonObject bobOne = await(figures.one("bob"));
    assertEquals(Instant.ofEpochMilli(now - 600_000).toString(), bobOne.getString("lastSeen"));
    assertEquals(1L, bobOne.getLong("byStateOf"), "the job of two hours ago is not counted");
    assertNull(await(figures.one("nobody")));
  }

  @Test
  @DisplayName("the overview's figures add up the partitions: created, each state, dead letters")
  void jobFiguresAddUp() throws Exception {
    spreadJobs();
    for (int p : new int[] {0, 2, 2}) {
      await(redis.send(Request.cmd(Command.XADD).arg(partitions.get(p).dead()).arg("*").arg("job").arg("{}")));
    }
    JsonObject today = await(new JobFigures(redis, partitions).since(t0));
    assertEquals(written.size(), today.getLong("created"));
    assertEquals(count(w -> w.status().equals("queued")), today.getJsonObject("byState").getLong("queued"));
    assertEquals(count(w -> w.status().equals("completed")), today.getJsonObject("byState").getLong("completed"));
    assertEquals(0L, today.getJsonObject("byState").getLong("scheduled"));
    assertEquals(3L, today.getLong("deadLetters"));
    JsonObject later = await(new JobFigures(redis, partitions).since(t0 + 6));
    assertEquals(count(w -> w.created() >= t0 + 6), later.getLong("created"));
  }

  /**
   * Jobs in all three partitions, created over a few milliseconds with ties within and across partitions; three
   * types, two clients, some completed.
   */
  private void spreadJobs() throws Exception {
    long[][] times = {{1, 5, 5, 9, 12}, {2, 5, 7, 9}, {3, 5, 9, 12, 12}};
    String[] types = {"sum", "sleep", "print"};
    int n = 0;
    for (int p = 0; p < times.length; p++) {
      for (long at : times[p]) {
        write(p, types[n % 3], n % 2 == 0 ? "alice" : "bob", t0 + at, n % 4 == 3);
        n++;
      }
    }
  }

  /** One job per partition, newer than all, two of them in the same millisecond. */
  private void arrive(int count) throws Exception {
    long at = written.stream().mapToLong(Written::created).max().orElse(t0) + 1;
    for (int p = 0; p < count; p++) {
      write(p % 3, "print", "alice", at + p / 2, false);
    }
  }

  private void write(int partition, String type, String client, long created, boolean completed) throws Exception {
    Job job = job(partition, type);
    JobRecords records = new JobRecords(partitions.get(partition), TTL);
    await(redis.batch(completed ? records.completedFromCache(job, client, "{\"value\":1}", created)
        : records.queued(job, client, created)));
    written.add(new Written(created, job.id(), partition, type, client, completed ? "completed" : "queued"));
  }

  private Job job(int partition, String type) {
    byte[] unique = new byte[10];
    random.nextBytes(unique);
    String id = Partitions.jobId(partition, "api-" + java.util.HexFormat.of().formatHex(unique));
    return new Job(id, type, t0, new JsonObject().put("n", 1), true);
  }

  private List<String> ids(Comparator<Written> order, Predicate<Written> which) {
    return written.stream().filter(which).sorted(order).map(Written::id).toList();
  }

  private long count(Predicate<Written> which) {
    return written.stream().filter(which).count();
  }

  private static JobSearch.Query query(String state, String type, String client, int limit, boolean oldestFirst) {
    return new JobSearch.Query(state, type, client, null, null, null, limit, null, oldestFirst);
  }

  private static JobSearch.Query withCursor(JobSearch.Query q, String cursor) {
    return new JobSearch.Query(q.state(), q.type(), q.client(), q.idPrefix(), q.since(), q.until(), q.limit(), cursor,
        q.oldestFirst());
  }

  private List<String> listAll(JobSearch.Query q) throws Exception {
    return listFrom(q, null);
  }

  /** Every page from {@code cursor} on; fails on a job shown twice or a walk that does not end. */
  private List<String> listFrom(JobSearch.Query q, String cursor) throws Exception {
    List<String> ids = new ArrayList<>();
    String at = cursor;
    int pages = 0;
    do {
      JobSearch.Page page = await(search.page(withCursor(q, at)));
      assertTrue(page.jobs().size() <= q.limit(), "a page of " + page.jobs().size() + " over the limit " + q.limit());
      page.jobs().forEach(j -> ids.add(j.getString("id")));
      at = page.cursor();
      pages++;
      assertTrue(pages < 200, "the walk does not end: " + ids);
    } while (at != null);
    assertEquals(ids.size(), new HashSet<>(ids).size(), "a job shown twice: " + ids);
    return ids;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(30, TimeUnit.SECONDS);
  }
}
