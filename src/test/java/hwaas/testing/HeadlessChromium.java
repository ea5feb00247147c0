package hwaas.testing;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Level;

/**
 * A real headless Chromium (Debian's chromium and chromedriver) driven by Selenium, at 1280 px, keeping the page's
 * console log. Pages that re-render read and click in one script call, never through an element reference that the
 * next render may have replaced.
 */
public final class HeadlessChromium implements AutoCloseable {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private final WebDriver driver;

  /** Outside CI a test is skipped when no Chromium is installed; in CI (CI=true) it fails instead. */
  public static void assumeInstalled() {
    boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(installed, "no chromium/chromedriver here (CI installs them: see .ci/run)");
    }
  }

  public HeadlessChromium() {
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,1000");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    driver = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build(), options);
  }

  public WebDriver driver() {
    return driver;
  }

  @SuppressWarnings("unchecked")
  public <T> T js(String script, Object... args) {
    return (T) ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(script, args);
  }

  public String textOf(String selector) {
    Object text = js("const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", selector);
    return text == null ? "" : text.toString().trim();
  }

  public boolean exists(String selector) {
    return Boolean.TRUE.equals(js("return document.querySelector(arguments[0]) !== null;", selector));
  }

  public void click(String selector) {
    js("document.querySelector(arguments[0]).click();", selector);
  }

  /** The page's console errors so far. */
  public List<String> errors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage).toList();
  }

  public <T> T waitFor(Duration timeout, String what, Supplier<T> found) {
    return new WebDriverWait(driver, timeout).withMessage("waiting for " + what).until(d -> found.get());
  }

  /** Saves what the page shows as target/{name}.png. */
  public void screenshot(String name) throws Exception {
    File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), Path.of("target", name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void close() {
    driver.quit();
  }
}
