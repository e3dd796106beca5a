package dev.kpm.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium driven by chromedriver, both Debian's ({@code apt-get install chromium
 * chromium-driver}; .ci/run installs them). Selenium Manager is never asked: the binary and the
 * driver are named, so nothing is downloaded. The flags keep Chromium off the network beyond
 * loopback and working as root in CI; each browser gets a fresh profile under target/.
 */
public final class Browser implements AutoCloseable {
  public static final String CHROMIUM = "/usr/bin/chromium";
  public static final String DRIVER = "/usr/bin/chromedriver";

  /** The flags, also in build/console-check.sh and README "Browser tests". */
  public static final List<String> FLAGS =
      List.of(
          "--headless",
          "--no-sandbox", // root in CI: Chromium's sandbox refuses to run as root
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync");

  private static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final ChromeDriver driver;
  private final Path profile;

  private Browser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** A laptop-sized window, 1280×900. */
  public static Browser start() {
    return start(1280, 900);
  }

  /** A tablet-sized window, 820×1180. */
  public static Browser tablet() {
    return start(820, 1180);
  }

  public static Browser start(int width, int height) {
    for (String file : List.of(CHROMIUM, DRIVER)) {
      if (!new File(file).canExecute()) {
        throw new IllegalStateException(
            file + " is missing: apt-get install chromium chromium-driver (.ci/run installs them)");
      }
    }
    try {
      Files.createDirectories(Path.of("target"));
      Path profile = Files.createTempDirectory(Path.of("target"), "chromium-profile-");
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM);
      options.addArguments(FLAGS);
      options.addArguments(
          "--window-size=" + width + "," + height, "--user-data-dir=" + profile.toAbsolutePath());
      LoggingPreferences logs = new LoggingPreferences();
      logs.enable(LogType.BROWSER, Level.ALL);
      options.setCapability("goog:loggingPrefs", logs);
      ChromeDriverService service =
          new ChromeDriverService.Builder()
              .usingDriverExecutable(new File(DRIVER))
              .usingAnyFreePort()
              .withLogFile(Path.of("target", "chromedriver.log").toFile())
              .build();
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().scriptTimeout(WAIT);
      return new Browser(driver, profile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public WebDriver driver() {
    return driver;
  }

  /** Waits until {@code condition} answers neither null nor false; fails after {@code within}. */
  public <T> T await(Function<WebDriver, T> condition, Duration within) {
    return new WebDriverWait(driver, within, Duration.ofMillis(100)).until(condition::apply);
  }

  /** The page as it is now, to target/screenshots/{name}.png. */
  public Path screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Path file = SCREENSHOTS.resolve(name + ".png");
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One axe-core violation: its rule, impact, description and the elements it found. */
  public record Violation(String id, String impact, String description, List<String> targets) {}

  private static String axeSource() {
    try (InputStream in = Browser.class.getResourceAsStream("/axe/axe.min.js")) {
      if (in == null) {
        throw new IllegalStateException(
            "src/test/resources/axe/axe.min.js is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs the vendored axe-core (WCAG rules) over the page as it is now. */
  @SuppressWarnings("unchecked")
  public List<Violation> axe() {
    JavascriptExecutor js = driver;
    js.executeScript(axeSource());
    Object result =
        js.executeAsyncScript(
            "const done = arguments[arguments.length - 1];"
                + "axe.run(document, {resultTypes: ['violations']})"
                + ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,"
                + " description: v.description,"
                + " targets: v.nodes.map(n => n.target.join(' ') + ' ' + n.html)}))))"
                + ".catch(e => done([{id: 'axe-error', impact: 'critical',"
                + " description: String(e), targets: []}]));");
    List<Violation> out = new ArrayList<>();
    for (Object o : (List<Object>) result) {
      Map<String, Object> v = (Map<String, Object>) o;
      out.add(
          new Violation(
              (String) v.get("id"),
              (String) v.get("impact"),
              (String) v.get("description"),
              (List<String>) v.get("targets")));
    }
    return out;
  }

  /** Fails listing every serious or critical violation axe finds on the page. */
  public void assertNoSeriousViolations() {
    List<Violation> serious =
        axe().stream()
            .filter(v -> "serious".equals(v.impact()) || "critical".equals(v.impact()))
            .toList();
    if (!serious.isEmpty()) {
      StringBuilder message = new StringBuilder("axe-core found serious violations on ");
      message.append(driver.getCurrentUrl()).append(':');
      for (Violation v : serious) {
        message.append("\n- ").append(v.id()).append(" (").append(v.impact()).append("): ");
        message.append(v.description());
        v.targets().forEach(t -> message.append("\n    ").append(t));
      }
      throw new AssertionError(message.toString());
    }
  }

  /** The browser console's SEVERE entries since the last call: script errors, CSP violations. */
  public List<String> consoleErrors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .toList();
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> walk = Files.walk(profile)) {
        walk.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      } catch (IOException e) {
        // a profile left in target/ is harmless
      }
    }
  }
}
