package hwaas.http;

import hwaas.jobs.JobHandlers;
import hwaas.node.Node;
import hwaas.node.NodeSettings;
import hwaas.support.Printer;
import hwaas.testing.Api;
import hwaas.testing.Capture;
import hwaas.testing.TestConfigs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /api/jobs}: filters that combine, cursor pages that neither repeat nor skip while jobs arrive. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobListingTest {
  private static final String TOKEN = "listing-test-token-0123";
  private Printer printer;
  private Node node;
  private Api api;

  @BeforeAll
  void start() {
    NodeSettings settings = TestConfigs.withToken(TestConfigs.local(0, 0, 1), TOKEN); // no workers: jobs stay queued
    printer = new Printer(new Capture(), () -> { });
    node = Node.start(settings, JobHandlers.standard(printer, settings.limits()));
    api = new Api(node.httpPort(), TOKEN);
  }

  @AfterAll
  void stop() {
    node.stop();
    printer.close();
  }

  @Test
  @DisplayName("paging newest first through all jobs while 1,000 more arrive shows each of the 3,000 there before exactly once")
  void pagesNeitherRepeatNorSkip() throws Exception {
    List<String> before = new ArrayList<>();
    for (int b = 0; b < 3; b++) {
      before.addAll(batch("pager", "print", 1000));
    }
    AtomicBoolean writing = new AtomicBoolean(true);
    Thread arrivals = new Thread(() -> {
      try {
        for (int i = 0; i < 10 && writing.get(); i++) {
          batch("pager", "print", 100);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    arrivals.start();
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject page = api.get("/api/jobs?limit=97" + (cursor == null ? "" : "&cursor=" + cursor)).json();
      page.getJsonArray("jobs").forEach(j -> seen.add(((JsonObject) j).getString("id")));
      cursor = page.getString("cursor");
      pages++;
    } while (cursor != null && pages < 100);
    writing.set(false);
    arrivals.join();
    assertEquals(seen.size(), new HashSet<>(seen).size(), "a job was shown twice");
    assertTrue(seen.containsAll(before), "a job was skipped");

    // Oldest first through the type index: the same 3,000 at the start, in the order they were created.
    List<String> oldest = new ArrayList<>();
    cursor = null;
    do {
      JsonObject page = api.get("/api/jobs?type=print&order=oldest&limit=500" + (cursor == null ? "" : "&cursor=" + cursor)).json();
      page.getJsonArray("jobs").forEach(j -> oldest.add(((JsonObject) j).getString("id")));
      cursor = page.getString("cursor");
    } while (cursor != null);
    assertEquals(new HashSet<>(oldest).size(), oldest.size());
    assertTrue(new HashSet<>(oldest.subList(0, 3000)).containsAll(before.subList(0, 3000)));
  }

  @Test
  @DisplayName("state, type, client, q and a time range combine; a whole id finds its job; bad input is a 400")
  void filtersCombine() throws Exception {
    Instant start = Instant.now();
    List<String> sums = batch("filter-a", "sum", 5);
    List<String> prints = batch("filter-a", "print", 3);
    batch("filter-b", "sum", 4);
    assertEquals(reversed(sums), ids("/api/jobs?client=filter-a&type=sum&state=queued&since=" + enc(start.toString())));
    assertEquals(reversed(prints), ids("/api/jobs?client=filter-a&type=print"));
    assertEquals(List.of(), ids("/api/jobs?client=filter-a&state=completed"));
    assertEquals(List.of(), ids("/api/jobs?client=filter-a&until=" + enc(start.minusSeconds(60).toString())));
    assertEquals(List.of(sums.get(2)), ids("/api/jobs?q=" + sums.get(2)));
    assertEquals(List.of(sums.get(2)), ids("/api/jobs?type=sum&q=" + sums.get(2).substring(0, sums.get(2).length() - 1)
        + "&client=filter-a&limit=1000").stream().filter(id -> id.equals(sums.get(2))).toList());
    JsonObject record = api.get("/api/jobs?q=" + prints.get(0)).json().getJsonArray("jobs").getJsonObject(0);
    assertEquals("queued", record.getJsonArray("history").getJsonObject(0).getString("status"));
    assertNull(api.get("/api/jobs?q=" + prints.get(0)).json().getString("cursor"));

    assertEquals(400, api.get("/api/jobs?state=lost").status());
    assertEquals(400, api.get("/api/jobs?cursor=not-a-cursor").status());
    assertEquals(400, api.get("/api/jobs?since=yesterday").status());
    assertEquals(400, api.get("/api/jobs?limit=0").status());
  }

  @Test
  @DisplayName("clients are listed with their jobs over the last hour, and one client by state")
  void clientFigures() throws Exception {
    batch("figures", "sum", 7);
    JsonObject one = api.get("/api/clients/figures").json();
    assertEquals(7, one.getInteger("lastHour"));
    assertEquals(7, one.getJsonObject("byState").getInteger("queued"));
    assertTrue(api.get("/api/clients").json().getJsonArray("clients").stream()
        .anyMatch(c -> "figures".equals(((JsonObject) c).getString("client")) && ((JsonObject) c).getInteger("lastMinute") == 7));
    assertEquals(404, api.get("/api/clients/nobody-here").status());
  }

  @Test
  @DisplayName("the client filter pages through all 2,500 jobs of one client (beyond its newest 1,000), newest or oldest first, each once, and counts them")
  void clientFilterBeyondAThousand() throws Exception {
    List<String> mine = new ArrayList<>();
    for (int b = 0; b < 5; b++) {
      mine.addAll(batch("prolific", "sum", 500));
      batch("other-" + b, "sum", 200); // between them, jobs of others the filter must leave out
    }
    for (String order : List.of("newest", "oldest")) {
      List<String> seen = new ArrayList<>();
      String cursor = null;
      int pages = 0;
      do {
        JsonObject page = api.get("/api/jobs?client=prolific&limit=300&order=" + order
            + (cursor == null ? "" : "&cursor=" + cursor)).json();
        page.getJsonArray("jobs").forEach(j -> {
          assertEquals("prolific", ((JsonObject) j).getString("client"));
          seen.add(((JsonObject) j).getString("id"));
        });
        cursor = page.getString("cursor");
        pages++;
      } while (cursor != null && pages < 50);
      assertEquals(mine.size(), seen.size(), order + ": jobs shown");
      assertEquals(new HashSet<>(mine), new HashSet<>(seen), order + ": the same jobs");
      assertEquals(order.equals("oldest") ? mine : reversed(mine), seen, order + ": in the order they were created");
    }
    JsonObject figures = api.get("/api/clients/prolific").json();
    assertEquals(2500, figures.getInteger("lastHour"));
    assertEquals(2500, figures.getJsonObject("byState").getInteger("queued"));
    assertEquals(2500, figures.getInteger("byStateOf"));
  }

  @Test
  @DisplayName("all jobs are the types' indexes merged: pages of 7, newest or oldest first, show each job of three types once, in (time, id) order across types, and count them")
  void allJobsMergeTheTypes() throws Exception {
    Instant start = Instant.now().minusMillis(1);
    Set<String> mine = new HashSet<>();
    // One batch of three types: its jobs share one creation time, so the order across the type indexes is by id alone.
    JsonArray mixed = new JsonArray();
    List<String> types = List.of("print", "sum", "multiply");
    for (int i = 0; i < 60; i++) {
      String type = types.get(i % 3);
      mixed.add(new JsonObject().put("type", type).put("client", "merge").put("payload", type.equals("print")
          ? new JsonObject().put("message", "m" + i) : new JsonObject().put("numbers", new JsonArray().add(i))));
    }
    Api.Reply reply = api.post("/api/jobs/batch", mixed.encode());
    assertEquals(202, reply.status(), reply.body());
    reply.json().getJsonArray("ids").forEach(id -> mine.add((String) id));
    for (String type : types) {
      mine.addAll(batch("merge", type, 25));
    }
    String range = "&since=" + enc(start.toString()) + "&until=" + enc(Instant.now().plusSeconds(1).toString());
    for (String order : List.of("newest", "oldest")) {
      List<JsonObject> seen = new ArrayList<>();
      String cursor = null;
      int pages = 0;
      do {
        JsonObject page = api.get("/api/jobs?limit=7&order=" + order + range + (cursor == null ? "" : "&cursor=" + cursor)).json();
        page.getJsonArray("jobs").forEach(j -> seen.add((JsonObject) j));
        cursor = page.getString("cursor");
        pages++;
      } while (cursor != null && pages < 100);
      List<String> ids = seen.stream().map(j -> j.getString("id")).toList();
      assertEquals(ids.size(), new HashSet<>(ids).size(), order + ": a job was shown twice");
      assertTrue(new HashSet<>(ids).containsAll(mine), order + ": a job was skipped");
      assertEquals(types.size(), seen.stream().map(j -> j.getString("type")).distinct().count(), order + ": the types");
      for (int i = 1; i < seen.size(); i++) {
        JsonObject a = seen.get(i - 1);
        JsonObject b = seen.get(i);
        int byTime = Instant.parse(a.getString("createdAt")).compareTo(Instant.parse(b.getString("createdAt")));
        int cmp = byTime != 0 ? byTime : a.getString("id").compareTo(b.getString("id"));
        assertTrue(order.equals("newest") ? cmp > 0 : cmp < 0, order + ": " + a.getString("id") + " then " + b.getString("id"));
      }
    }
    JsonObject today = api.get("/api/jobs-today?since=" + enc(start.toString())).json();
    assertTrue(today.getLong("created") >= mine.size(), today.encode());
  }

  @Test
  @DisplayName("a service's data from an older HWaaS (an index of all jobs, a type index the set of types does not name) is listed, and that index dropped, once a node starts")
  void olderDataIsListedAfterAStart() throws Exception {
    NodeSettings settings = node.settings();
    hwaas.queue.StreamKeys keys = settings.queue().keys();
    hwaas.queue.JobIndex index = new hwaas.queue.JobIndex(keys);
    Redis redis = Redis.createClient(node.vertx(), settings.redis().options());
    Node second = null;
    try {
      long now = System.currentTimeMillis();
      String id = "api-older-" + Long.toHexString(now);
      send(redis, Request.cmd(Command.HSET).arg(keys.record(id)).arg("type").arg("sleep").arg("client").arg("older")
          .arg("status").arg("completed").arg("payload").arg("{\"millis\":1}").arg("createdAt").arg(now));
      send(redis, Request.cmd(Command.ZADD).arg(index.type("sleep")).arg(now).arg(id));
      send(redis, Request.cmd(Command.ZADD).arg(keys.indexPrefix() + "all").arg(now).arg(id));
      send(redis, Request.cmd(Command.SREM).arg(index.types()).arg("sleep"));
      second = Node.start(settings.withHttp(settings.http().withPort(0)), JobHandlers.standard(printer, settings.limits()));
      assertEquals(0L, send(redis, Request.cmd(Command.EXISTS).arg(keys.indexPrefix() + "all")).toLong(), "the index of all jobs");
      assertEquals(List.of(id), ids("/api/jobs?limit=1000&since=" + enc(Instant.ofEpochMilli(now).toString())).stream()
          .filter(id::equals).toList());
    } finally {
      if (second != null) {
        second.stop();
      }
      redis.close();
    }
  }

  private static io.vertx.redis.client.Response send(Redis redis, Request request) throws Exception {
    return redis.send(request).toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
  }

  private List<String> batch(String client, String type, int n) throws Exception {
    JsonArray jobs = new JsonArray();
    for (int i = 0; i < n; i++) {
      JsonObject payload = type.equals("print") ? new JsonObject().put("message", "hello " + i)
          : new JsonObject().put("numbers", new JsonArray().add(i));
      jobs.add(new JsonObject().put("type", type).put("client", client).put("payload", payload));
    }
    Api.Reply reply = api.post("/api/jobs/batch", jobs.encode());
    assertEquals(202, reply.status(), reply.body());
    List<String> ids = new ArrayList<>();
    reply.json().getJsonArray("ids").forEach(id -> ids.add((String) id));
    return ids;
  }

  private List<String> ids(String path) throws Exception {
    Api.Reply reply = api.get(path);
    assertEquals(200, reply.status(), reply.body());
    List<String> ids = new ArrayList<>();
    reply.json().getJsonArray("jobs").forEach(j -> ids.add(((JsonObject) j).getString("id")));
    return ids;
  }

  private static List<String> reversed(List<String> ids) {
    List<String> copy = new ArrayList<>(ids);
    java.util.Collections.reverse(copy);
    return copy;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
