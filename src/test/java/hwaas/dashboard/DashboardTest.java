package hwaas.dashboard;

import hwaas.node.NodeSettings;
import hwaas.node.Node;
import hwaas.testing.Capture;
import hwaas.testing.HeadlessChromium;
import hwaas.testing.TestConfigs;
import hwaas.jobs.JobHandlers;
import hwaas.support.Printer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import java.io.File;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromedriver), against a real node.
 * Outside CI the tests are skipped when no Chromium is installed; in CI (CI=true) they fail instead.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardTest {
  private static final String TOKEN = "dashboard-test-token-0123";
  private static final String READ_TOKEN = "dashboard-read-token-4567";

  private Printer printer;
  private Node node;
  private String base;
  private HeadlessChromium chromium;
  private WebDriver browser;

  @BeforeAll
  void startNode() {
    HeadlessChromium.assumeInstalled();
    NodeSettings local = TestConfigs.withToken(TestConfigs.local(2, 20, 5), TOKEN);
    NodeSettings config = local.withHttp(local.http().withReadToken(READ_TOKEN));
    printer = new Printer(new Capture(), () -> { });
    node = Node.start(config, JobHandlers.standard(printer, config.limits()));
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
    browser = chromium.driver();
  }

  @AfterEach
  void closeBrowser() {
    if (chromium != null) {
      chromium.close();
    }
  }

  @Test
  @DisplayName("the page loads without console errors and its printed total and rate change within 3 seconds")
  void liveNumbers() throws Exception {
    browser.get(base + "#token=" + TOKEN);
    String first = waitFor(Duration.ofSeconds(10), "a printed total", () -> number("printed-total") > 0 ? text("printed-total") : null);
    String firstRate = text("printed-rate");
    waitFor(Duration.ofSeconds(3), "the printed total to change", () -> text("printed-total").equals(first) ? null : "changed");
    assertFalse(firstRate.equals("–"), "a rate is shown");
    assertTrue(number("printed-rate") > 0);
    waitFor(Duration.ofSeconds(5), "the cluster table", () -> exists("#nodes tbody tr") ? "ok" : null);
    waitFor(Duration.ofSeconds(5), "latency figures", () -> text("latency-p99").equals("–") ? null : "ok");
    assertEquals(List.of(), errors(), "console errors");
    waitFor(Duration.ofSeconds(5), "the Redis line", () -> text("redis").startsWith("Redis redis://:***@") ? "ok" : null);
    assertFalse(browser.getPageSource().contains(hwaas.testing.TestRedis.url().getUserInfo().substring(1)), "the page shows the Redis password");
    Thread.sleep(8_000); // some seconds of chart for the screenshot
    saveScreenshot();
  }

  @Test
  @DisplayName("the pause button stops the print queue's count, and resume starts it again")
  void pauseAndResume() throws Exception {
    browser.get(base + "#token=" + TOKEN);
    waitFor(Duration.ofSeconds(10), "the print queue's pause button",
        () -> exists("#queues tr[data-type=print] button.pause") ? "ok" : null);
    click("#queues tr[data-type=print] button.pause");
    waitFor(Duration.ofSeconds(5), "the print queue to show paused", () -> "paused".equals(cell("print", "state")) ? "ok" : null);
    Thread.sleep(1_500); // what was already read finishes
    String processed = cell("print", "processed");
    Thread.sleep(2_000);
    assertEquals(processed, cell("print", "processed"), "processed moved while paused");

    click("#queues tr[data-type=print] button.resume");
    waitFor(Duration.ofSeconds(5), "the count to move again after resume",
        () -> !processed.equals(cell("print", "processed")) && "running".equals(cell("print", "state")) ? "ok" : null);
    assertEquals(List.of(), errors(), "console errors");
  }

  @Test
  @DisplayName("the page lists the schedules and the delayed jobs, and its pause button pauses a schedule")
  void schedulesPanel() throws Exception {
    hwaas.testing.Api api = new hwaas.testing.Api(node.httpPort(), TOKEN);
    String name = "page-" + System.nanoTime();
    assertEquals(201, api.post("/api/schedules", "{\"name\":\"" + name + "\",\"cron\":\"0 0 1 1 *\",\"job\":{\"type\":"
        + "\"print\",\"payload\":{\"message\":\"new year\"},\"client\":\"page\"}}").status());
    assertEquals(202, api.post("/api/jobs", "{\"type\":\"print\",\"payload\":{\"message\":\"later\"},\"client\":\"page\","
        + "\"delay\":3600}").status());
    try {
      browser.get(base + "#token=" + TOKEN);
      String row = "#schedules tr[data-name='" + name + "']";
      waitFor(Duration.ofSeconds(10), "the schedule's row", () -> exists(row + " button.pause") ? "ok" : null);
      assertEquals("active", textOf(row + " td.state"));
      assertTrue(textOf(row + " td.next").matches("\\d\\d:\\d\\d:\\d\\d"), textOf(row + " td.next"));
      assertTrue(text("delayed").matches("[1-9][0-9,]* delayed job\\(s\\), next due .*"), text("delayed"));
      click(row + " button.pause");
      waitFor(Duration.ofSeconds(10), "the schedule to show paused", () -> "paused".equals(textOf(row + " td.state")) ? "ok" : null);
      assertTrue(api.get("/api/schedules").json().getJsonArray("schedules").stream()
          .anyMatch(s -> name.equals(((io.vertx.core.json.JsonObject) s).getString("name")) && ((io.vertx.core.json.JsonObject) s).getBoolean("paused")));
      assertEquals(List.of(), errors(), "console errors");
    } finally {
      api.delete("/api/schedules/" + name);
    }
  }

  @Test
  @DisplayName("a sum job submitted from the page shows completed with its result")
  void submitSum() throws Exception {
    browser.get(base + "#token=" + TOKEN);
    waitFor(Duration.ofSeconds(10), "the live connection", () -> text("connection").equals("live") ? "ok" : null);
    WebElement payload = browser.findElement(By.id("job-payload"));
    payload.clear();
    payload.sendKeys("{\"numbers\": [1, 2, 3.5, " + System.nanoTime() + "]}");
    browser.findElement(By.id("job-submit")).click();
    waitFor(Duration.ofSeconds(10), "the job to complete", () -> text("job-status").equals("completed") ? "ok" : null);
    assertTrue(text("job-result").contains("\"value\""), text("job-result"));
    assertTrue(text("job-id").startsWith("api-"));
    assertEquals(List.of(), errors(), "console errors");
  }

  @Test
  @DisplayName("a sleep job submitted from the page shows a progress bar that moves, and its Cancel button ends it canceled")
  void progressAndCancel() throws Exception {
    browser.get(base + "#token=" + TOKEN);
    waitFor(Duration.ofSeconds(10), "the live connection", () -> text("connection").equals("live") ? "ok" : null);
    var js = (org.openqa.selenium.JavascriptExecutor) browser;
    js.executeScript("document.getElementById('job-type').value = 'sleep';");
    WebElement payload = browser.findElement(By.id("job-payload"));
    payload.clear();
    payload.sendKeys("{\"seconds\": 6, \"message\": \"canceled from the page\"}");
    browser.findElement(By.id("job-submit")).click();
    waitFor(Duration.ofSeconds(10), "the job to run", () -> text("job-status").equals("running") ? "ok" : null);
    double first = waitFor(Duration.ofSeconds(5), "a progress above 0", () -> {
      double value = progress();
      return value > 0 ? value : null;
    });
    double second = waitFor(Duration.ofSeconds(3), "the bar to move", () -> progress() > first ? progress() : null);
    assertTrue(browser.findElement(By.id("job-progress")).isDisplayed());
    assertTrue(text("job-progress-text").contains("%"), text("job-progress-text"));
    browser.findElement(By.id("job-cancel")).click();
    waitFor(Duration.ofSeconds(3), "the job to show canceled", () -> text("job-status").equals("canceled") ? "ok" : null);
    assertFalse(browser.findElement(By.id("job-cancel")).isDisplayed(), "a canceled job offers no Cancel");
    assertTrue(second > first && second < 1, first + " then " + second);
    assertEquals(List.of(), errors(), "console errors");
  }

  private double progress() {
    Object value = ((org.openqa.selenium.JavascriptExecutor) browser)
        .executeScript("return document.getElementById('job-progress').value");
    return ((Number) value).doubleValue();
  }

  @Test
  @DisplayName("with the read-only token the page shows everything but its write controls are disabled")
  void readOnlyWithTheReadToken() throws Exception {
    browser.get(base + "#token=" + READ_TOKEN);
    waitFor(Duration.ofSeconds(10), "the queues", () -> exists("#queues tbody button") ? "ok" : null);
    waitFor(Duration.ofSeconds(10), "a printed total", () -> number("printed-total") > 0 ? "ok" : null);
    assertFalse(browser.findElement(By.id("job-submit")).isEnabled());
    assertEquals(Boolean.TRUE, ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
        "const b = [...document.querySelectorAll('#queues tbody button')]; return b.length === 4 && b.every(x => x.disabled);"));
    assertTrue(browser.findElement(By.id("readonly-note")).isDisplayed());
    assertEquals("read-only", text("access"));
    assertEquals(List.of(), errors(), "console errors");
  }

  @Test
  @DisplayName("without a token the page shows nothing of the service and says how to get in")
  void nothingWithoutAToken() throws Exception {
    browser.get(base);
    waitFor(Duration.ofSeconds(10), "the no-access note", () -> "no access".equals(text("access")) ? "ok" : null);
    assertTrue(browser.findElement(By.id("readonly-note")).isDisplayed());
    assertTrue(text("readonly-note").contains("#token="), text("readonly-note"));
    assertFalse(browser.findElement(By.id("job-submit")).isEnabled());
    Thread.sleep(1_500);
    assertFalse(exists("#queues tbody tr"), "queues shown without a token");
    assertFalse(exists("#nodes tbody tr"), "nodes shown without a token");
  }

  @Test
  @DisplayName("hostile text from a node and from a job is shown as text and runs nothing; the page is served with a CSP")
  void hostileDataIsText() throws Exception {
    String attack = "<img src=x onerror=\"document.title='pwned'\">";
    // A rogue cluster member publishing crafted stats: its node id and address are markup.
    long timer = node.vertx().setPeriodic(200, t -> node.vertx().eventBus().publish("hwaas.stats", new io.vertx.core.json.JsonObject()
        .put("node", new io.vertx.core.json.JsonObject().put("id", attack).put("host", attack).put("http", "javascript:alert(1)")
            .put("workers", 1).put("clients", 0).put("rate", 1).put("startedAt", System.currentTimeMillis()))
        .put("at", System.currentTimeMillis()).put("printed", 0).put("submitted", 0).put("printedPerSecond", 0)
        .put("queues", new io.vertx.core.json.JsonArray())));
    try {
      browser.get(base + "#token=" + TOKEN);
      waitFor(Duration.ofSeconds(10), "the rogue node's row", () -> textOf("#nodes tbody").contains("<img") ? "ok" : null);
      WebElement payload = browser.findElement(By.id("job-payload"));
      ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("document.getElementById('job-type').value = 'sleep';");
      payload.clear();
      payload.sendKeys("{\"seconds\": 0, \"message\": \"" + attack.replace("\"", "\\\"") + "\"}");
      browser.findElement(By.id("job-submit")).click();
      waitFor(Duration.ofSeconds(10), "the sleep job to complete", () -> text("job-status").equals("completed") ? "ok" : null);
      assertTrue(text("job-result").contains("<img src=x"), text("job-result"));
      var js = (org.openqa.selenium.JavascriptExecutor) browser;
      assertEquals(0L, js.executeScript("return document.querySelectorAll('img').length"), "markup from data became elements");
      assertFalse("pwned".equals(browser.getTitle()), "script from data ran");
      assertEquals(0L, js.executeScript("return document.querySelectorAll('a[href^=javascript]').length"));
    } finally {
      node.vertx().cancelTimer(timer);
    }
    var headers = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base)).build(),
        java.net.http.HttpResponse.BodyHandlers.discarding()).headers();
    assertTrue(headers.firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
  }

  @Test
  @DisplayName("the bridge refuses a browser that sends to the queue, listens to an address it does not permit, or registers without a token")
  void bridgeRefusesOtherAddresses() throws Exception {
    browser.get(base + "#token=" + TOKEN);
    var js = (org.openqa.selenium.JavascriptExecutor) browser;
    // A refusal comes back as an error frame ("rejected"), one per refused frame.
    js.executeScript("window.refusals = []; window.delivered = [];"
        + "const eb = new EventBus('/eventbus');"
        + "eb.onerror = (e) => window.refusals.push(e.body);"
        + "eb.onopen = () => {"
        + "  eb.send('hwaas.queue.submit', {id: 'x'}, (err, reply) => window.delivered.push('send'));"
        + "  eb.registerHandler('hwaas.queue.paused', {token: '" + TOKEN + "'}, (err, msg) => window.delivered.push(err ? 'error' : 'message'));"
        + "  eb.registerHandler('hwaas.stats', (err, msg) => window.delivered.push(err ? 'error' : 'stats without a token'));"
        + "};");
    waitFor(Duration.ofSeconds(10), "three refusals",
        () -> ((List<?>) js.executeScript("return window.refusals")).size() >= 3 ? "ok" : null);
    Thread.sleep(1_500); // stats are published once a second: none may arrive without a token
    assertEquals(List.of("rejected", "rejected", "rejected"), js.executeScript("return window.refusals"));
    assertEquals(List.of(), js.executeScript("return window.delivered"));
  }

  @Test
  @DisplayName("GET /metrics exposes job counters, the latency histogram, queue gauges, and Vert.x event-loop and event-bus metrics")
  void prometheusMetrics() throws Exception {
    waitFor(Duration.ofSeconds(1), "nothing", () -> "ok");
    var http = java.net.http.HttpClient.newHttpClient();
    assertEquals(401, http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode(), "metrics without a token");
    java.net.http.HttpResponse<String> metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "metrics"))
        .header("Authorization", "Bearer " + READ_TOKEN).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, metrics.statusCode());
    for (String name : List.of("hwaas_jobs_submitted_total", "hwaas_jobs_printed_total", "hwaas_jobs_failed_total",
        "hwaas_jobs_dead_total", "hwaas_jobs_retries_total", "hwaas_jobs_latency_milliseconds_bucket",
        "hwaas_queue_pending{type=\"print\"}", "hwaas_eventloop_delay_milliseconds", "vertx_eventbus_processed_total", "vertx_pool_",
        "jvm_memory_used_bytes")) {
      assertTrue(metrics.body().contains(name), "no " + name + " in /metrics");
    }
  }

  // The page re-renders its tables every second: read and click in one script call, never through an
  // element reference that the next render may have replaced.
  private String text(String id) {
    return textOf("#" + id);
  }

  private String textOf(String selector) {
    return chromium.textOf(selector);
  }

  private boolean exists(String selector) {
    return chromium.exists(selector);
  }

  private void click(String selector) {
    chromium.click(selector);
  }

  private long number(String id) {
    String t = text(id).replace(",", "");
    return t.matches("\\d+") ? Long.parseLong(t) : -1;
  }

  private String cell(String type, String column) {
    return textOf("#queues tr[data-type=" + type + "] td." + column);
  }

  private List<String> errors() {
    return chromium.errors();
  }

  private <T> T waitFor(Duration timeout, String what, java.util.function.Supplier<T> found) {
    return chromium.waitFor(timeout, what, found);
  }

  /** The README's screenshot comes from this run: target/dashboard.png. */
  private void saveScreenshot() throws Exception {
    chromium.screenshot("dashboard");
  }
}
