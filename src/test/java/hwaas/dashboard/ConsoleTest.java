package hwaas.dashboard;

import hwaas.jobs.JobHandlers;
import hwaas.jobs.PrintHandler;
import hwaas.node.Node;
import hwaas.node.NodeSettings;
import hwaas.support.Printer;
import hwaas.testing.Api;
import hwaas.testing.Capture;
import hwaas.testing.HeadlessChromium;
import hwaas.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.Dimension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console's views in a real headless Chromium against a real node: each view opened by its address, the job
 * browser and a job's story, dead letters requeued one by one and by filter. Skipped without Chromium, as
 * {@link DashboardTest}. The screenshots in docs/ come from here (target/console-*.png).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleTest {
  private static final String TOKEN = "console-test-token-0123";
  private static final String READ_TOKEN = "console-read-token-4567";

  /** Print jobs whose message starts with "flaky2" fail their first two attempts; "doomed" ones fail until healed. */
  private final Map<String, Integer> attempts = new ConcurrentHashMap<>();
  private final Set<String> healed = ConcurrentHashMap.newKeySet();
  private final Map<String, Integer> succeeded = new ConcurrentHashMap<>();
  /** A "held" print job's first attempt waits for {@link #release}, then fails. */
  private final CompletableFuture<Void> heldFailure = new CompletableFuture<>();
  private final CompletableFuture<Void> release = new CompletableFuture<>();
  private Printer printer;
  private NodeSettings config;
  private Node node;
  private Api api;
  private String base;
  private HeadlessChromium chromium;

  @BeforeAll
  void startNode() {
    HeadlessChromium.assumeInstalled();
    NodeSettings local = TestConfigs.withToken(TestConfigs.local(2, 2, 1), TOKEN);
    config = local.withHttp(local.http().withReadToken(READ_TOKEN))
        .withWorkers(local.workers().withRetries(3, Duration.ofMillis(100)));
    printer = new Printer(new Capture(), () -> { });
    PrintHandler print = new PrintHandler(printer);
    JobHandlers handlers = JobHandlers.standard(printer, config.limits()).withPrint(job -> {
      String message = job.payload().getString("message");
      int attempt = attempts.merge(job.id(), 1, Integer::sum);
      if (message.startsWith("flaky2") && attempt <= 2) {
        return Future.failedFuture("flaky attempt " + attempt + " of " + job.id());
      }
      if (message.startsWith("held") && attempt == 1) {
        heldFailure.complete(null);
        return Future.fromCompletionStage(release).compose(v -> Future.failedFuture("held attempt of " + job.id()));
      }
      if (message.startsWith("doomed") && !healed.contains(message)) {
        return Future.failedFuture("doomed: " + message);
      }
      if (job.tracked()) {
        succeeded.merge(job.id(), 1, Integer::sum);
      }
      return print.run(job);
    });
    node = Node.start(config, handlers);
    api = new Api(node.httpPort(), TOKEN);
    base = "http://127.0.0.1:" + node.httpPort() + "/";
  }

  @AfterAll
  void stopNode() {
    if (node != null) {
      node.stop();
      printer.close();
    }
  }

  @BeforeEach
  void openBrowser() {
    chromium = new HeadlessChromium();
  }

  @AfterEach
  void closeBrowser() {
    if (chromium != null) {
      chromium.close();
    }
  }

  @Test
  @DisplayName("a job submitted over the API appears in #/jobs within a second, and #/jobs/<id> shows its status changes and result")
  void jobBrowserAndJobView() throws Exception {
    // The node's feed of job changes for the job browser: nothing while no page shows it, at most two a second after.
    List<JsonObject> fed = new java.util.concurrent.CopyOnWriteArrayList<>();
    var feed = node.vertx().eventBus().<JsonObject>localConsumer("hwaas.console.jobs", m -> fed.add(m.body()));
    feed.completion().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    try {
      login(TOKEN);
      waitForStatus(submit("sum", "{\"numbers\":[7]}", "alice"), "completed");
      Thread.sleep(1_200);
      assertEquals(List.of(), fed, "feed messages while no page shows the job browser");
      open("#/jobs");
      waitFor(Duration.ofSeconds(10), "the job browser", () -> exists("section[data-view=jobs] .pager") ? "ok" : null);
      long from = System.nanoTime();
      for (int i = 0; i < 20; i++) {
        submit("sum", "{\"numbers\":[" + i + "]}", "alice");
        Thread.sleep(100);
      }
      Thread.sleep(1_000);
      double seconds = (System.nanoTime() - from) / 1e9;
      assertTrue(!fed.isEmpty() && fed.size() <= 2 * seconds + 1, fed.size() + " feed messages in " + seconds + " s");
    } finally {
      feed.unregister();
    }
    open("#/jobs");
    waitFor(Duration.ofSeconds(10), "the job browser", () -> exists("section[data-view=jobs] .pager") ? "ok" : null);
    // Pushed, not polled: with no job changing, the page asks for no page of jobs.
    Thread.sleep(1_000);
    js("performance.clearResourceTimings();");
    Thread.sleep(2_000);
    assertEquals(0L, (long) (Long) js("return performance.getEntriesByType('resource').filter(e => e.name.includes('/api/jobs?')).length;"),
        "pages of jobs fetched while nothing changed");
    String id = submit("sum", "{\"numbers\":[1,2," + System.nanoTime() + "]}", "alice");
    long submitted = System.currentTimeMillis();
    waitFor(Duration.ofSeconds(3), "the new job's row", () -> exists("tr[data-id='" + id + "']") ? "ok" : null);
    long seenAfter = System.currentTimeMillis() - submitted;
    assertTrue(seenAfter < 1_000, "the row appeared after " + seenAfter + " ms");
    screenshot("console-jobs");

    open("#/jobs/" + id);
    waitFor(Duration.ofSeconds(10), "the completed job", () -> textOf(".field-status").equals("completed") ? "ok" : null);
    List<String> statuses = texts("tr.event td:nth-child(2)");
    assertEquals(List.of("queued", "running", "completed"), statuses);
    assertTrue(textOf("pre.result").contains("\"value\""), textOf("pre.result"));
    assertTrue(textOf("pre.payload").contains("numbers"));
    assertTrue(textOf("tr.event:nth-child(2) td:nth-child(3)").length() > 0, "the worker of the running step");
    screenshot("console-job");
    assertEquals(List.of(), errors(), "console errors");
  }

  @Test
  @DisplayName("a job's view follows its job as it changes, pushed not polled: a sleep job's progress, then its completion within a second")
  void jobViewFollowsItsJob() throws Exception {
    login(TOKEN);
    String id = submit("sleep", "{\"seconds\":2,\"message\":\"followed\"}", "erin");
    open("#/jobs/" + id);
    waitFor(Duration.ofSeconds(10), "the running job's progress", () -> exists("pre.progress") ? "ok" : null);
    String first = textOf("pre.progress");
    waitFor(Duration.ofSeconds(3), "its progress moving on", () -> textOf("pre.progress").equals(first) ? null : "ok");
    waitForStatus(id, "completed");
    long completed = System.nanoTime();
    waitFor(Duration.ofSeconds(10), "the completed status", () -> textOf(".field-status").equals("completed") ? "ok" : null);
    long shownAfter = (System.nanoTime() - completed) / 1_000_000;
    assertTrue(shownAfter < 1_000, "completed shown " + shownAfter + " ms after the API said so");
    // Nothing changes any more: the view reads the job at most once (its slow catch-up), not every second.
    js("performance.clearResourceTimings();");
    Thread.sleep(3_000);
    long reads = (Long) js("return performance.getEntriesByType('resource').filter(e => e.name.includes('/api/jobs/' + arguments[0])).length;", id);
    assertTrue(reads <= 1, reads + " reads of the job in 3 s while it did not change");
    assertEquals(List.of(), errors(), "console errors");
  }

  @Test
  @DisplayName("another node's console shows the job and its story, and both nodes; so does a node started after that one stopped")
  void anyNodeShowsTheWholeCluster() throws Exception {
    String id = submit("sum", "{\"numbers\":[4,5]}", "frank");
    waitForStatus(id, "completed");
    // A node of no workers and no clients: whatever its console shows of the job, it read from Redis.
    NodeSettings other = config.withWorkers(config.workers().withCount(0))
        .withClients(new hwaas.client.ClientSettings(0, config.clients().rate(), config.clients().message()));
    for (int start = 1; start <= 2; start++) {
      Node second = Node.start(other, JobHandlers.standard(printer, other.limits()));
      try {
        chromium.driver().get("http://127.0.0.1:" + second.httpPort() + "/#token=" + TOKEN);
        waitFor(Duration.ofSeconds(10), "the access check", () -> textOf("#access").startsWith("read") ? "ok" : null);
        open("#/jobs/" + id);
        waitFor(Duration.ofSeconds(10), "the job on node " + start + "'s console",
            () -> textOf(".field-status").equals("completed") ? "ok" : null);
        assertEquals(List.of("queued", "running", "completed"), texts("tr.event td:nth-child(2)"), "started " + start);
        assertTrue(textOf("pre.result").contains("9"), textOf("pre.result"));
        open("#/nodes");
        waitFor(Duration.ofSeconds(30), "both nodes listed",
            () -> Set.copyOf(texts("#view tbody td.id")).equals(Set.of(node.nodeId(), second.nodeId())) ? "ok" : null);
        assertEquals(List.of(), errors(), "console errors");
      } finally {
        // A fresh browser for the next start: this page would count the stopped node's refused requests as its errors.
        chromium.close();
        chromium = new HeadlessChromium();
        second.stop();
      }
    }
  }

  @Test
  @DisplayName("a chain's view lists each step, a fan-out's jobs one by one, with its status and result, linked to the step's own view")
  void chainSteps() throws Exception {
    Api.Reply reply = api.post("/api/jobs", "{\"type\":\"sum\",\"payload\":{\"numbers\":[1,2,3]},\"client\":\"carol\","
        + "\"then\":[{\"type\":\"multiply\",\"payload\":{\"numbers\":[2]}},"
        + "{\"all\":[{\"type\":\"sum\",\"payload\":{\"numbers\":[1]}},{\"type\":\"sum\",\"payload\":{\"numbers\":[2]}}]}]}");
    assertEquals(202, reply.status(), reply.body());
    String id = reply.json().getString("id");
    waitForStatus(id, "completed");
    login(TOKEN);
    open("#/jobs/" + id);
    waitFor(Duration.ofSeconds(10), "the steps", () -> texts("tr.step td:nth-child(1)").size() == 4 ? "ok" : null);
    assertEquals(List.of("0", "1", "2.0", "2.1"), texts("tr.step td:nth-child(1)"));
    assertEquals(List.of(id, id + ".1", id + ".2.0", id + ".2.1"), texts("tr.step td.id"));
    assertEquals(List.of("completed", "completed", "completed", "completed"), texts("tr.step td:nth-child(4)"));
    assertEquals(List.of("{\"value\":6}", "{\"value\":12}", "{\"value\":13}", "{\"value\":14}"), texts("tr.step td.result"));
    js("document.querySelector(\"tr.step[data-id='\" + arguments[0] + \"'] td.id a\").click();", id + ".1");
    waitFor(Duration.ofSeconds(10), "the step's own view", () -> textOf(".field-id").equals(id + ".1") ? "ok" : null);
    assertEquals(List.of(), errors(), "console errors");
  }

  @Test
  @DisplayName("Cancel on a waiting job's view cancels it, after asking, and its history ends canceled")
  void cancelFromTheJobView() throws Exception {
    Api.Reply reply = api.post("/api/jobs", "{\"type\":\"print\",\"payload\":{\"message\":\"later\"},\"client\":\"hal\",\"delay\":3600}");
    assertEquals(202, reply.status(), reply.body());
    String id = reply.json().getString("id");
    login(TOKEN);
    open("#/jobs/" + id);
    waitFor(Duration.ofSeconds(10), "the cancel button", () -> exists("#view button.cancel:not([disabled])") ? "ok" : null);
    js("window.asked = []; window.confirm = (q) => { window.asked.push(q); return true; };");
    js("document.querySelector('#view button.cancel').click();");
    waitForStatus(id, "canceled");
    assertEquals(List.of("Cancel job " + id + "?"), js("return window.asked;"));
    waitFor(Duration.ofSeconds(10), "the canceled history",
        () -> texts("tr.event td:nth-child(2)").equals(List.of("scheduled", "canceled")) ? "ok" : null);
    assertEquals(List.of(id), api.get("/api/jobs?state=canceled&client=hal").json().getJsonArray("jobs").stream()
        .map(j -> ((JsonObject) j).getString("id")).toList());
    assertEquals(List.of(), errors(), "console errors");
  }

  @Test
  @DisplayName("Retry now on a retrying job's view and Delete on a finished one act after asking; the deleted job is gone")
  void retryNowAndDeleteFromTheJobView() throws Exception {
    String id = submit("print", "{\"message\":\"held " + System.nanoTime() + "\"}", "ivan");
    heldFailure.get(10, TimeUnit.SECONDS);
    // Paused while its first attempt runs: once it fails, it waits (no reclaimer takes a paused type's entries).
    assertEquals(200, api.post("/api/queues/print/pause", "").status());
    try {
      Thread.sleep(500);
      release.complete(null);
      waitForStatus(id, "failed");
      login(TOKEN);
      open("#/jobs/" + id);
      waitFor(Duration.ofSeconds(10), "the retry button", () -> exists("#view button.retry:not([disabled])") ? "ok" : null);
      js("window.asked = []; window.confirm = (q) => { window.asked.push(q); return true; };");
      js("document.querySelector('#view button.retry').click();");
      waitFor(Duration.ofSeconds(10), "the retry in the history", () -> texts("tr.event td:nth-child(2)").contains("retry") ? "ok" : null);
      assertEquals(List.of("Run job " + id + " now instead of waiting out its back-off?"), js("return window.asked;"));
    } finally {
      assertEquals(200, api.post("/api/queues/print/resume", "").status());
    }
    waitForStatus(id, "completed");
    waitFor(Duration.ofSeconds(10), "the completed job's view", () -> textOf(".field-status").equals("completed")
        && exists("#view button.delete-job:not([disabled])") ? "ok" : null);
    js("window.asked = [];");
    js("document.querySelector('#view button.delete-job').click();");
    waitFor(Duration.ofSeconds(10), "the job browser", () -> exists("section[data-view=jobs]") ? "ok" : null);
    assertEquals(List.of("Delete job " + id + " and its history? This cannot be undone."), js("return window.asked;"));
    assertEquals(404, api.get("/api/jobs/" + id).status());
    assertEquals(List.of(), errors(), "console errors");
  }

  @Test
  @DisplayName("a job that fails twice then succeeds shows both errors in its history")
  void bothErrorsOfAFlakyJob() throws Exception {
    String id = submit("print", "{\"message\":\"flaky2 " + System.nanoTime() + "\"}", "bob");
    waitForStatus(id, "completed");
    login(TOKEN);
    open("#/jobs/" + id);
    waitFor(Duration.ofSeconds(10), "the history", () -> exists("tr.event") ? "ok" : null);
    List<String> errors = texts("tr.event td.error");
    assertEquals(List.of("flaky attempt 1 of " + id, "flaky attempt 2 of " + id), errors);
    assertEquals("completed", textOf(".field-status"));
    assertEquals(List.of(), errors(), "console errors");
  }

  @Test
  @DisplayName("a dead job appears in #/dead with its error, and Requeue on the page runs it")
  void deadJobRequeuedFromThePage() throws Exception {
    String message = "doomed " + System.nanoTime();
    String id = deadJob(message, "carol");
    login(TOKEN);
    open("#/dead?q=" + id);
    String row = "tr[data-dead-id]";
    // The view is drawn at once and again when the page knows its access: buttons are enabled only then.
    waitFor(Duration.ofSeconds(10), "the dead job's row", () -> exists(row + " button.requeue:not([disabled])") ? "ok" : null);
    assertTrue(textOf(row + " td.error").contains(message), textOf(row + " td.error"));
    assertEquals(id, textOf(row + " td.id"));
    screenshot("console-dead");
    healed.add(message);
    js("window.confirm = () => true; window.alerts = []; window.alert = (m) => window.alerts.push(m);");
    js("document.querySelector(arguments[0]).click();", row + " button.requeue");
    try {
      waitForStatus(id, "completed");
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; the page's alerts " + js("return window.alerts;") + ", its rows "
          + texts("tr[data-dead-id] td") + ", the record " + api.get("/api/jobs/" + id).body() + ", dead letters "
          + api.get("/api/dead?q=" + id).body() + ", attempts " + attempts.get(id), e);
    }
    assertEquals(1, succeeded.get(id));
    open("#/jobs/" + id);
    waitFor(Duration.ofSeconds(10), "the requeued job's history",
        () -> texts("tr.event td:nth-child(2)").contains("dead") && textOf(".field-status").equals("completed") ? "ok" : null);
    assertEquals(List.of(), errors(), "console errors");
  }

  @Test
  @DisplayName("requeue all matching on #/dead counts 1,000 dead jobs, then runs each of them once")
  void bulkRequeueByFilter() throws Exception {
    String tag = "doomed-bulk-" + System.nanoTime();
    JsonArray batch = new JsonArray();
    for (int i = 0; i < 1000; i++) {
      batch.add(new JsonObject().put("type", "print").put("client", "dave").put("payload", new JsonObject().put("message", tag)));
    }
    Api.Reply accepted = api.post("/api/jobs/batch", batch.encode());
    assertEquals(202, accepted.status(), accepted.body());
    List<String> ids = accepted.json().getJsonArray("ids").stream().map(String::valueOf).toList();
    long[] matched = new long[1];
    try {
      waitUntil(Duration.ofSeconds(120), "1,000 dead letters", () -> {
        matched[0] = api.post("/api/dead/requeue?dryRun=true&q=" + tag, "").json().getLong("matched");
        return matched[0] == 1000;
      });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + ": " + matched[0] + " matched; statuses "
          + api.get("/api/jobs?client=dave&limit=5").body() + " dead " + api.get("/api/dead?limit=2").body(), e);
    }
    Thread.sleep(1000);
    assertEquals(1000L, api.post("/api/dead/requeue?dryRun=true&q=" + tag, "").json().getLong("matched"), "each job dead once");
    healed.add(tag);
    login(TOKEN);
    open("#/dead?q=" + tag);
    waitFor(Duration.ofSeconds(10), "the dead letters", () -> exists("button.requeue-all:not([disabled])") ? "ok" : null);
    js("window.asked = []; window.confirm = (q) => { window.asked.push(q); return true; };");
    js("document.querySelector('button.requeue-all').click();");
    waitFor(Duration.ofSeconds(30), "the bulk result", () -> textOf("#bulk-result").startsWith("Requeued") ? "ok" : null);
    assertEquals(List.of("Requeued all 1000 dead letter(s) that match?"), js("return window.asked;"));
    waitUntil(Duration.ofSeconds(60), "all 1,000 jobs completed", () -> ids.stream().allMatch(succeeded::containsKey));
    assertTrue(ids.stream().allMatch(id -> succeeded.get(id) == 1), "a job ran twice");
    assertEquals(0L, api.post("/api/dead/requeue?dryRun=true&q=" + tag, "").json().getLong("matched"));
    assertEquals(List.of(), errors(), "console errors");
  }

  @Test
  @DisplayName("filters in the URL give the same rows as the API with the same filters")
  void urlFiltersMatchTheApi() throws Exception {
    for (int i = 0; i < 3; i++) {
      waitForStatus(submit("multiply", "{\"numbers\":[2," + i + "]}", "erin"), "completed");
    }
    submit("sum", "{\"numbers\":[5]}", "erin");
    login(TOKEN);
    open("#/jobs?state=completed&type=multiply&client=erin");
    waitFor(Duration.ofSeconds(10), "the rows", () -> exists("tr[data-id]") ? "ok" : null);
    List<String> shown = js("return [...document.querySelectorAll('tr[data-id]')].map(r => r.dataset.id);");
    List<String> fromApi = api.get("/api/jobs?state=completed&type=multiply&client=erin&limit=50").json().getJsonArray("jobs")
        .stream().map(j -> ((JsonObject) j).getString("id")).toList();
    assertEquals(3, fromApi.size());
    assertEquals(fromApi, shown);
    assertEquals("completed", js("return document.getElementById('filter-state').value;"));
    assertEquals(List.of(), errors(), "console errors");
  }

  @Test
  @DisplayName("the overview, clients, a client and nodes open by their address without console errors, at 1280 px and at a phone's width")
  void everyViewOpens() throws Exception {
    submit("sum", "{\"numbers\":[1]}", "frank");
    login(TOKEN);
    waitFor(Duration.ofSeconds(10), "the overview", () -> exists("#nodes tbody tr") ? "ok" : null);
    assertTrue(exists("#view[hidden]"), "the overview shows no console view");
    waitFor(Duration.ofSeconds(10), "today's figures", () -> exists("#today a.today-created") ? "ok" : null);
    JsonObject today = api.get("/api/jobs-today?since=" + java.net.URLEncoder.encode(
        js("const d = new Date(); d.setHours(0, 0, 0, 0); return d.toISOString();"), java.nio.charset.StandardCharsets.UTF_8)).json();
    assertTrue(today.getLong("created") > 0, today.encode());
    assertEquals(String.valueOf(today.getLong("deadLetters")), textOf("#today .today-dead-letters .value"));
    assertEquals("#/jobs?since=", js("return document.querySelector('#today a.today-completed').getAttribute('href').slice(0, 13);"));
    Thread.sleep(3_000); // a few seconds of chart
    screenshot("console-overview");
    open("#/clients");
    waitFor(Duration.ofSeconds(10), "the clients", () -> textOf("#view").contains("frank") ? "ok" : null);
    assertTrue(textOf("#view").contains("Print clients of ./hwaas W C running now: 2"), textOf("#view .note"));
    open("#/clients/frank");
    waitFor(Duration.ofSeconds(10), "the client's figures", () -> exists("tr[data-id]") ? "ok" : null);
    open("#/nodes");
    waitFor(Duration.ofSeconds(10), "the nodes", () -> exists("#view tbody tr") ? "ok" : null);
    chromium.driver().manage().window().setSize(new Dimension(390, 844));
    for (String view : List.of("#/jobs", "#/dead", "#/clients", "#/nodes", "#/")) {
      open(view);
      Thread.sleep(500);
      assertEquals(Boolean.TRUE, js("return document.documentElement.scrollWidth <= window.innerWidth + 1;"), view + " is wider than a phone");
    }
    assertEquals(List.of(), errors(), "console errors");
  }

  @Test
  @DisplayName("with the read-only token the views show everything and every action is disabled")
  void readOnly() throws Exception {
    String message = "doomed " + System.nanoTime();
    String id = deadJob(message, "gina");
    login(READ_TOKEN);
    open("#/dead?q=" + id);
    waitFor(Duration.ofSeconds(10), "the dead row", () -> exists("tr[data-dead-id] button.requeue") ? "ok" : null);
    assertEquals(Boolean.TRUE, js("return [...document.querySelectorAll('#view button.requeue, #view button.delete, "
        + "#view button.requeue-all, #view button.delete-all')].every(b => b.disabled);"));
    open("#/jobs/" + id);
    waitFor(Duration.ofSeconds(10), "the job's actions", () -> exists("#view button.requeue") ? "ok" : null);
    assertEquals(Boolean.TRUE, js("return [...document.querySelectorAll('#view .actions button')].every(b => b.disabled);"));
    healed.add(message);
    assertEquals(403, api.post("/api/dead/requeue?q=" + id, "", "application/json", READ_TOKEN).status());
  }

  private String submit(String type, String payload, String client) throws Exception {
    Api.Reply reply = api.post("/api/jobs", "{\"type\":\"" + type + "\",\"payload\":" + payload + ",\"client\":\"" + client + "\"}");
    assertEquals(202, reply.status(), reply.body());
    return reply.json().getString("id");
  }

  /** A print job that fails until its message is healed: dead after its attempts. */
  private String deadJob(String message, String client) throws Exception {
    String id = submit("print", "{\"message\":\"" + message + "\"}", client);
    waitForStatus(id, "dead");
    return id;
  }

  private void waitForStatus(String id, String status) throws Exception {
    waitUntil(Duration.ofSeconds(30), id + " " + status, () -> status.equals(api.get("/api/jobs/" + id).json().getString("status")));
  }

  private interface Check {
    boolean ok() throws Exception;
  }

  private static void waitUntil(Duration timeout, String what, Check check) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    while (!check.ok()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  private void login(String token) {
    chromium.driver().get(base + "#token=" + token);
    waitFor(Duration.ofSeconds(10), "the access check", () -> textOf("#access").startsWith("read") ? "ok" : null);
  }

  private void open(String hash) {
    js("location.hash = arguments[0];", hash.substring(1));
  }

  private <T> T js(String script, Object... args) {
    return chromium.js(script, args);
  }

  private String textOf(String selector) {
    return chromium.textOf(selector);
  }

  private List<String> texts(String selector) {
    return js("return [...document.querySelectorAll(arguments[0])].map(e => e.textContent.trim());", selector);
  }

  private boolean exists(String selector) {
    return chromium.exists(selector);
  }

  private List<String> errors() {
    return chromium.errors();
  }

  private <T> T waitFor(Duration timeout, String what, Supplier<T> found) {
    return chromium.waitFor(timeout, what, found);
  }

  private void screenshot(String name) throws Exception {
    chromium.screenshot(name);
  }
}
