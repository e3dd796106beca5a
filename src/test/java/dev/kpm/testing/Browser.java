package dev.kpm.testing;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.chromium.ChromiumDriverLogLevel;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Chromium for the console's browser tests: Debian's {@code chromium} driven through
 * Debian's {@code chromium-driver}, both named by path ({@link #CHROMIUM}, {@link #CHROMEDRIVER}),
 * so Selenium Manager never runs and nothing is downloaded. {@code .ci/run} installs both; without
 * them (or with two different versions) {@link #start} fails saying so.
 *
 * <p>Each browser has a fresh profile under {@code target/browser/} (deleted by {@link #close});
 * chromedriver's and Chromium's own output go to {@code chromedriver.log} beside it, not to the
 * test output. Screenshots go to {@code target/screenshots/}. Waits are generous ({@link #WAIT}, 2
 * shared cores) and poll a condition, never sleep a guessed time. {@link #axe} runs the vendored
 * axe-core ({@code src/test/resources/axe}) on the current page; {@link #consoleErrors} collects
 * the page's console errors (a script error, a Content-Security-Policy violation).
 */
public final class Browser implements AutoCloseable {
  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  /**
   * Chromium's flags (README, Browser tests): headless; {@code --no-sandbox} because CI runs as
   * root, where Chromium refuses its sandbox; {@code --disable-dev-shm-usage} because a small
   * {@code /dev/shm} (a container's 64 MB) crashes renderers and Debian's wrapper does not always
   * add it; the rest so the browser makes no network call beyond the pages a test opens (no QUIC,
   * no background fetches, component updates or sync) and starts without first-run screens.
   */
  public static final List<String> FLAGS =
      List.of(
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-dev-shm-usage",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync");

  /** A laptop's viewport, the default. */
  public static final Dimension LAPTOP = new Dimension(1280, 900);

  /** A tablet's viewport, held upright (an iPad Air's CSS pixels). */
  public static final Dimension TABLET = new Dimension(820, 1180);

  /** The default deadline of {@link #await} and the helpers built on it. */
  public static final Duration WAIT = Await.LONG;

  /** How long one script (axe on a large page, say) may run. */
  public static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(120);

  /** How long a page may take to load. */
  public static final Duration PAGE_LOAD_TIMEOUT = Duration.ofSeconds(120);

  private static final Path TARGET = Path.of("target").toAbsolutePath();
  private static final Set<String> SERIOUS = Set.of("serious", "critical");

  /**
   * Selenium warns at every start that it has no CDP module for this Chromium version: the tests
   * use WebDriver only (no selenium-devtools-vNNN), so the warning is noise. Held so it stays set.
   */
  private static final java.util.logging.Logger CDP_FINDER =
      java.util.logging.Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  static {
    CDP_FINDER.setLevel(Level.SEVERE);
  }

  private static String axeSource;
  private static boolean versionsChecked;

  private final Path dir;
  private final Path profile;
  private final OutputStream log;
  private final ChromeDriverService service;
  private final ChromeDriver driver;
  private final List<LogEntry> console = new ArrayList<>();

  /** One axe-core result: a rule the page breaks, and where. */
  public record Violation(String id, String impact, String description, List<Node> nodes) {
    @Override
    public String toString() {
      return id
          + " ("
          + impact
          + "): "
          + description
          + nodes.stream().map(n -> "\n    " + n).collect(Collectors.joining());
    }
  }

  /** An element breaking a rule: its CSS selector, its HTML and axe's summary of what to fix. */
  public record Node(String target, String html, String failureSummary) {
    @Override
    public String toString() {
      return target + "  " + html + (failureSummary == null ? "" : "  — " + failureSummary);
    }
  }

  private Browser(Dimension window) throws IOException {
    checkInstalled();
    Files.createDirectories(TARGET.resolve("browser"));
    dir = Files.createTempDirectory(TARGET.resolve("browser"), "chromium-");
    profile = Files.createDirectory(dir.resolve("profile"));
    log = new FileOutputStream(dir.resolve("chromedriver.log").toFile());
    service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .withLogOutput(log)
            .withLogLevel(ChromiumDriverLogLevel.WARNING)
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(FLAGS);
    options.addArguments(
        "--user-data-dir=" + profile,
        "--window-size=" + window.getWidth() + "," + window.getHeight());
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, Level.ALL.getName()));
    ChromeDriver started;
    try {
      started = new ChromeDriver(service, options);
    } catch (RuntimeException e) {
      service.stop();
      log.close();
      throw new IllegalStateException(
          "cannot start " + CHROMIUM + " through " + CHROMEDRIVER + " (log: " + dir + ")", e);
    }
    driver = started;
    driver.manage().timeouts().scriptTimeout(SCRIPT_TIMEOUT);
    driver.manage().timeouts().pageLoadTimeout(PAGE_LOAD_TIMEOUT);
    fitViewport(window);
  }

  /**
   * Makes the viewport (what a page lays out in, and what a screenshot shows) {@code viewport}: a
   * headless window's size includes a frame (about 143 pixels of height in Chromium 150), so the
   * window is grown by whatever the viewport lacks.
   */
  private void fitViewport(Dimension viewport) {
    List<?> inner =
        (List<?>) driver.executeScript("return [window.innerWidth, window.innerHeight];");
    int width = ((Number) inner.get(0)).intValue();
    int height = ((Number) inner.get(1)).intValue();
    if (width != viewport.getWidth() || height != viewport.getHeight()) {
      Dimension outer = driver.manage().window().getSize();
      driver
          .manage()
          .window()
          .setSize(
              new Dimension(
                  outer.getWidth() + viewport.getWidth() - width,
                  outer.getHeight() + viewport.getHeight() - height));
    }
  }

  /** A headless Chromium with a laptop's viewport ({@link #LAPTOP}). */
  public static Browser start() {
    return start(LAPTOP);
  }

  /** A headless Chromium with a tablet's viewport ({@link #TABLET}). */
  public static Browser tablet() {
    return start(TABLET);
  }

  /** A headless Chromium whose viewport is {@code window}. */
  public static Browser start(Dimension window) {
    try {
      return new Browser(window);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Fails, saying what installs them, when the browser or the driver is missing, or when they are
   * not the same version (chromedriver would refuse the session with a less clear message).
   */
  private static synchronized void checkInstalled() {
    if (versionsChecked) {
      return;
    }
    for (Path exe : List.of(CHROMIUM, CHROMEDRIVER)) {
      if (!Files.isExecutable(exe)) {
        throw new AssertionError(
            exe
                + " is missing: the browser tests need Debian's chromium and chromium-driver"
                + " (.ci/run installs them: apt-get install chromium chromium-driver"
                + " fonts-dejavu-core)");
      }
    }
    String browser = version(CHROMIUM);
    String driver = version(CHROMEDRIVER);
    if (!browser.equals(driver)) {
      throw new AssertionError(
          CHROMIUM
              + " is "
              + browser
              + " but "
              + CHROMEDRIVER
              + " is "
              + driver
              + ": install both from one Debian release (apt-get install chromium chromium-driver)");
    }
    versionsChecked = true;
  }

  /** The version number {@code exe --version} prints ({@code 150.0.7871.100}). */
  private static String version(Path exe) {
    String out = Processes.run(List.of(exe.toString(), "--version"), Duration.ofSeconds(60));
    return Stream.of(out.split("\\s+"))
        .filter(word -> word.matches("\\d+(\\.\\d+){3}"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no version in `" + exe + " --version`: " + out));
  }

  /** The underlying driver, for what this class does not wrap. */
  public WebDriver driver() {
    return driver;
  }

  /** Opens {@code uri} and returns when it has loaded. */
  public Browser open(URI uri) {
    driver.get(uri.toString());
    return this;
  }

  /**
   * Waits until {@code condition} returns a value that is neither null nor false (an {@link
   * org.openqa.selenium.support.ui.ExpectedCondition} or any function of the driver), and returns
   * it; element lookups that miss or go stale meanwhile count as not yet.
   */
  public <T> T await(Function<? super WebDriver, T> condition, Duration within) {
    WebDriverWait wait = new WebDriverWait(driver, within, Duration.ofMillis(50));
    wait.ignoring(NoSuchElementException.class, StaleElementReferenceException.class);
    return wait.until(condition);
  }

  /** {@link #await(Function, Duration)} within {@link #WAIT}. */
  public <T> T await(Function<? super WebDriver, T> condition) {
    return await(condition, WAIT);
  }

  /** The element {@code by} finds, once it is visible. */
  public WebElement visible(By by) {
    return await(ExpectedConditions.visibilityOfElementLocated(by));
  }

  /** The visible text of the element {@code by} finds, once it is visible. */
  public String text(By by) {
    return visible(by).getText();
  }

  /** Clicks the element {@code by} finds, once it is visible and enabled. */
  public Browser click(By by) {
    await(ExpectedConditions.elementToBeClickable(by)).click();
    return this;
  }

  /** Replaces the value of the field {@code by} finds, once it is visible, with {@code text}. */
  public Browser type(By by, String text) {
    WebElement field = visible(by);
    field.clear();
    field.sendKeys(text);
    return this;
  }

  /**
   * Writes a PNG of the window to {@code target/screenshots/<name>.png} and returns its path.
   * {@code name} is a plain file name (letters, digits, {@code . _ -}).
   */
  public Path screenshot(String name) {
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException("not a plain file name: " + name);
    }
    try {
      Path file = TARGET.resolve("screenshots").resolve(name + ".png");
      Files.createDirectories(file.getParent());
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs axe-core on the current page (injected first when the page has no {@code axe}) and returns
   * its violations, every impact. Injected through the driver, so a page's Content-Security-Policy
   * does not stop it.
   */
  public List<Violation> axe() {
    JavascriptExecutor js = driver;
    if (!Boolean.TRUE.equals(js.executeScript("return typeof window.axe === 'object';"))) {
      js.executeScript(axeSource());
    }
    Object result =
        js.executeAsyncScript(
            "const done = arguments[arguments.length - 1];"
                + "axe.run(document, {resultTypes: ['violations']}).then("
                + "  r => done(r.violations.map(v => ({"
                + "    id: v.id, impact: v.impact || '', description: v.description,"
                + "    nodes: v.nodes.map(n => ({"
                + "      target: n.target.map(t => [].concat(t).join(' >>> ')).join(', '),"
                + "      html: n.html, failureSummary: n.failureSummary || ''}))}))),"
                + "  e => done('axe failed: ' + e));");
    if (!(result instanceof List<?> list)) {
      throw new AssertionError(String.valueOf(result));
    }
    List<Violation> violations = new ArrayList<>();
    for (Object item : list) {
      Map<?, ?> v = (Map<?, ?>) item;
      List<Node> nodes = new ArrayList<>();
      for (Object n : (List<?>) v.get("nodes")) {
        Map<?, ?> node = (Map<?, ?>) n;
        nodes.add(
            new Node(
                (String) node.get("target"),
                (String) node.get("html"),
                (String) node.get("failureSummary")));
      }
      violations.add(
          new Violation(
              (String) v.get("id"),
              (String) v.get("impact"),
              (String) v.get("description"),
              List.copyOf(nodes)));
    }
    return List.copyOf(violations);
  }

  /** The violations of {@link #axe} whose impact is serious or critical. */
  public List<Violation> seriousViolations() {
    return axe().stream().filter(v -> SERIOUS.contains(v.impact())).toList();
  }

  /**
   * Fails listing every serious or critical axe-core violation of the current page, each with its
   * elements.
   */
  public void assertNoSeriousViolations() {
    List<Violation> serious = seriousViolations();
    if (!serious.isEmpty()) {
      throw new AssertionError(
          serious.size()
              + " serious or critical accessibility violation(s) on "
              + driver.getCurrentUrl()
              + ":\n  "
              + serious.stream().map(Violation::toString).collect(Collectors.joining("\n  ")));
    }
  }

  /**
   * Every SEVERE entry of the browser's console since this browser started (script errors,
   * Content-Security-Policy violations, failed loads), oldest first.
   */
  public synchronized List<LogEntry> consoleErrors() {
    console.addAll(driver.manage().logs().get(LogType.BROWSER).getAll());
    return console.stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .toList();
  }

  private static synchronized String axeSource() {
    if (axeSource == null) {
      try (InputStream in = Browser.class.getResourceAsStream("/axe/axe.min.js")) {
        if (in == null) {
          throw new IllegalStateException("axe/axe.min.js is not on the test classpath");
        }
        axeSource = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return axeSource;
  }

  /** Ends Chromium and chromedriver and deletes the profile; the log stays in {@code dir}. */
  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
      try {
        log.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Await.until("the Chromium profile " + profile + " is deleted", () -> delete(profile));
    }
  }

  /** Whether {@code tree} is gone after an attempt to delete it (a child may still write). */
  private static boolean delete(Path tree) {
    try (Stream<Path> walk = Files.walk(tree)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
      return true;
    } catch (IOException | UncheckedIOException e) {
      return !Files.exists(tree);
    }
  }
}
