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
