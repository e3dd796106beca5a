package dev.kpm.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import dev.kpm.Settings;
import dev.kpm.testing.ApiTest;
import dev.kpm.testing.Browser;
import dev.kpm.testing.FixtureServer;
import dev.kpm.testing.Http;
import dev.kpm.testing.ProbePlugins;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The console in a real headless Chromium against kpm on an embedded Tomcat with a real PostgreSQL,
 * token authentication on: signing in, installing from a slowed server with the bar following the
 * job, uploading a zip, the dry run, deleting with a confirmation, the portable board following a
 * process restart without a reload, errors as kpm words them, plugin text as text, and no serious
 * accessibility violation on any screen. Screenshots go to target/screenshots/.
 */
class ConsoleIT extends ApiTest {
  /** Two shared cores, a browser, a JVM and PostgreSQL: deadlines are generous. */
  private static final Duration WAIT = Duration.ofSeconds(90);

  private static final String XSS = "<img src=x onerror=\"window.__xss=1\">";

  private String admin;
  private String viewer;
  private FixtureServer server;
  private Browser browser;
  private WebDriver web;

  @Override
  protected Map<Settings.Key, String> settings() {
    server = new FixtureServer(fixtures);
    // A plugin host on loopback for the prebuild catalogue: it has one source, zmq.
    server.on(
        "/kuiper-plugins/",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          String name = path.substring(path.lastIndexOf('/') + 1, path.lastIndexOf('_'));
          if (!name.equals("zmq") || !path.contains("/sources/")) {
            exchange.sendResponseHeaders(404, -1);
          } else if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(200, -1);
          } else {
            Path zip =
                TestPlugins.zip(
                    fixtures.resolve("prebuilt-zmq.zip"),
                    List.of(Entry.file("Zmq@v2.0.0.so", "so"), Entry.file("zmq.yaml", "a: 1\n")));
            FixtureServer.send(exchange, 200, Files.readAllBytes(zip));
          }
        });
    return Map.of(
        Settings.Key.AUTH, "token", Settings.Key.PLUGIN_HOSTS, "http://127.0.0.1:" + server.port());
  }

  @BeforeAll
  void start() {
    admin = kpm.token("console-admin", "admin");
    viewer = kpm.token("console-viewer", "viewer");
    browser = Browser.start();
    web = browser.driver();
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.close();
    }
    if (server != null) {
      server.close();
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  private String console(String hash) {
    return getBaseUri().resolve("console/").toString() + (hash.isEmpty() ? "" : "#" + hash);
  }

  /** Opens the console signed in with {@code token} (a fresh tab state each time). */
  private void signIn(String token, String hash) {
    web.get(console(""));
    js("sessionStorage.clear()");
    web.navigate().refresh();
    waitFor(By.id("signin-token")).sendKeys(token);
    web.findElement(By.cssSelector("#signin-form button[type=submit]")).click();
    waitFor(By.id("nav"));
    js("location.hash = arguments[0]", hash);
    waitFor(By.cssSelector("#view h1"));
  }

  private Object js(String script, Object... args) {
    return ((JavascriptExecutor) web).executeScript(script, args);
  }

  private WebElement waitFor(By by) {
    return browser.await(
        d -> {
          List<WebElement> found = d.findElements(by);
          return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
        },
        WAIT);
  }

  private String waitForText(By by, String part) {
    return browser.await(
        d -> {
          List<WebElement> found = d.findElements(by);
          String text = found.isEmpty() ? "" : found.get(0).getText();
          return text.contains(part) ? text : null;
        },
        WAIT);
  }

  private HttpResponse<String> api(String method, String path, String token, String json) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(getBaseUri().resolve(path))
            .header("Authorization", "Bearer " + token);
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    return Http.send(
        b.method(
            method,
            json == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json)));
  }

  private int status(String path) {
    return api("GET", path, admin, null).statusCode();
  }

  private Path sinkZip(String name, List<Entry> extra) {
    List<Entry> entries = new java.util.ArrayList<>();
    entries.add(
        Entry.file(Character.toUpperCase(name.charAt(0)) + name.substring(1) + "@v1.0.0.so", "so"));
    entries.addAll(extra);
    return TestPlugins.zip(fixtures.resolve(name + ".zip"), entries);
  }

  private void assertNoAlertAndNoScriptRan() {
    try {
      web.switchTo().alert();
      throw new AssertionError("an alert opened");
    } catch (NoAlertPresentException expected) {
      // as it should be
    }
    assertEquals(null, js("return window.__xss === undefined ? null : String(window.__xss)"));
  }

  // --- tests ---------------------------------------------------------------------------------

  @Test
  void signingInRefusesABadTokenClearlyAndAViewerSeesNoAdminScreens() {
    web.get(console(""));
    js("sessionStorage.clear()");
    web.navigate().refresh();
    WebElement field = waitFor(By.id("signin-token"));
    browser.screenshot("console-signin");
    browser.assertNoSeriousViolations();
    field.sendKeys("kpm_notAToken");
    web.findElement(By.cssSelector("#signin-form button[type=submit]")).click();
    String error = waitForText(By.id("signin-error"), "refused");
    assertEquals("The credential was refused: validate token error: malformed kpm token", error);

    signIn(viewer, "plugins/sources");
    assertEquals("console-viewer (viewer)", web.findElement(By.id("whoami")).getText());
    assertFalse(web.findElement(By.cssSelector("#nav a[data-view=audit]")).isDisplayed());
    assertFalse(web.findElement(By.cssSelector("#nav a[data-view=tokens]")).isDisplayed());
    web.get(console("audit"));
    String refused = waitForText(By.cssSelector("#view p.error"), "Not allowed");
    assertTrue(refused.contains("GET /audit needs the admin role"), refused);

    // The credential lives in sessionStorage only, and signing out forgets it.
    assertEquals(viewer, js("return sessionStorage.getItem('kpm.credential')"));
    assertEquals(null, js("return localStorage.getItem('kpm.credential')"));
    web.findElement(By.id("signout")).click();
    waitFor(By.id("signin-token"));
    assertEquals(null, js("return sessionStorage.getItem('kpm.credential')"));
  }

  @Test
  void aDryRunShowsThePlanThenTheInstallFollowsTheJobFromASlowedServerToDone() throws Exception {
    byte[] zip = Files.readAllBytes(TestPlugins.zip("source-complete", fixtures));
    // The server sends the zip in 10 pieces, 300 ms apart, with its length: a download to watch.
    server.on("/slow/random.zip", exchange -> slowly(exchange, zip, 10, 300));
    String url = server.uri("/slow/random.zip").toString();

    signIn(admin, "install/create/sources");
    waitFor(By.id("install-name")).sendKeys("random");
    web.findElement(By.id("install-url")).sendKeys(url);
    assertFalse(web.findElement(By.id("install-go")).isEnabled(), "install before a dry run");
    web.findElement(By.id("dry-run")).click();
    waitFor(By.id("plan-details"));
    String plan = web.findElement(By.id("plan")).getText();
    assertTrue(plan.contains("plugins/sources/Random@v1.0.0.so"), plan);
    assertTrue(plan.contains("dry run: nothing was changed"), plan);
    assertEquals(404, status("plugins/sources/random"), "the dry run installed nothing");
    browser.screenshot("console-dry-run");

    WebElement go = web.findElement(By.id("install-go"));
    assertTrue(go.isEnabled());
    go.click();
    // The bar moves while the bytes arrive …
    browser.await(
        d -> {
          String phase = d.findElement(By.id("install-phase")).getText();
          double value =
              Double.parseDouble(d.findElement(By.id("install-progress")).getAttribute("value"));
          return phase.startsWith("downloading") && value > 5 && value < 60 ? phase : null;
        },
        WAIT);
    js(
        "arguments[0].scrollIntoView({block: 'center'})",
        web.findElement(By.id("install-progress")));
    browser.screenshot("console-install-progress");
    // … and reaches done with kpm's own answer.
    String result = waitForText(By.id("install-result"), "is created");
    assertEquals("sources plugin random is created", result);
    assertEquals("100", web.findElement(By.id("install-progress")).getAttribute("value"));
    assertEquals("done", web.findElement(By.id("install-phase")).getText());
    assertEquals(200, status("plugins/sources/random"));
    String banner = waitForText(By.id("banner-text"), "Restart eKuiper");
    assertTrue(banner.contains("sources/random"), banner);
    browser.assertNoSeriousViolations();
    browser.screenshot("console-install-done");

    // The list shows it with where it came from, its digest and who installed it.
    web.get(console("plugins/sources"));
    WebElement row = waitFor(By.cssSelector("#plugins tr[data-name=random]"));
    String text = row.getText();
    assertTrue(text.contains("v1.0.0"), text);
    assertTrue(text.contains(url), text);
    assertTrue(text.contains("by console-admin"), text);
    browser.assertNoSeriousViolations();
    browser.screenshot("console-plugins");
  }

  private static void slowly(HttpExchange exchange, byte[] body, int pieces, long pauseMs)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/zip");
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      int step = (body.length + pieces - 1) / pieces;
      for (int i = 0; i < body.length; i += step) {
        out.write(body, i, Math.min(step, body.length - i));
        out.flush();
        try {
          Thread.sleep(pauseMs); // the server is slow on purpose; nothing waits on this
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  @Test
  void aZipUploadedFromTheBrowserInstallsAndABadZipShowsKpmsExactError() throws Exception {
    Path good = sinkZip("uploaded", List.of());
    Path bad = Files.writeString(fixtures.resolve("broken.zip"), "this is not a zip");

    signIn(admin, "install/create/sinks");
    waitFor(By.id("mode-upload")).click();
    new Select(web.findElement(By.id("install-type"))).selectByValue("sinks");
    web.findElement(By.id("install-name")).sendKeys("broken");
    web.findElement(By.id("install-file")).sendKeys(bad.toString());
    web.findElement(By.id("dry-run")).click();
    String error = waitForText(By.cssSelector("#plan p.error"), "error");
    // Exactly what the API answers for the same upload.
    String expected =
        api(
                "POST",
                "plugins/sinks?dryRun=true",
                admin,
                "{\"name\":\"broken\",\"file\":\"file://"
                    + kpm.home().resolve("data/uploads/broken.zip")
                    + "\"}")
            .body();
    assertTrue(
        expected.contains("\"message\":\"" + error.replace("\"", "\\\"") + "\""),
        error + " vs " + expected);
    assertFalse(web.findElement(By.id("install-go")).isEnabled());
    browser.screenshot("console-bad-zip");

    WebElement name = web.findElement(By.id("install-name"));
    name.clear();
    name.sendKeys("uploaded");
    web.findElement(By.id("install-file")).sendKeys(good.toString());
    web.findElement(By.id("dry-run")).click();
    waitFor(By.id("plan-details"));
    web.findElement(By.id("install-go")).click();
    assertEquals(
        "sinks plugin uploaded is created", waitForText(By.id("install-result"), "created"));
    assertEquals(200, status("plugins/sinks/uploaded"));
  }

  @Test
  void deleteStatesTheConsequenceAndCancelKeepsThePlugin() {
    Path zip = sinkZip("doomed", List.of());
    assertEquals(
        201,
        api("POST", "plugins/sinks", admin, "{\"name\":\"doomed\",\"file\":\"file://" + zip + "\"}")
            .statusCode());

    signIn(admin, "plugins/sinks");
    // The fleet column: this one node, live, applied the plugin in the commit that created it.
    assertEquals(
        "1/1",
        waitFor(By.cssSelector("#plugins tr[data-name=doomed] span[title$='live nodes']"))
            .getText());
    waitFor(By.cssSelector("#plugins tr[data-name=doomed] button.danger")).click();
    String text = waitForText(By.id("dialog-body"), "eKuiper must restart");
    assertTrue(text.contains("plugins/sinks/Doomed@v1.0.0.so"), text);
    browser.screenshot("console-delete-confirm");
    // The keyboard lands on the safe choice; Escape closes the dialog without deleting.
    assertEquals("dialog-cancel", js("return document.activeElement.id"));
    browser.assertNoSeriousViolations();
    web.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.ESCAPE);
    browser.await(d -> d.findElement(By.id("dialog")).isDisplayed() ? null : true, WAIT);
    assertEquals(200, status("plugins/sinks/doomed"), "cancel deleted it");

    web.findElement(By.cssSelector("#plugins tr[data-name=doomed] button.danger")).click();
    waitFor(By.id("dialog-confirm")).click();
    waitForText(By.id("dialog-body"), "is deleted");
    web.findElement(By.id("dialog-close")).click();
    assertEquals(404, status("plugins/sinks/doomed"));
    browser.await(
        d -> d.findElements(By.cssSelector("#plugins tr[data-name=doomed]")).isEmpty(), WAIT);
  }

  @Test
  void aKilledPortableProcessRestartsOnTheBoardWithoutAReload() {
    Path zip = ProbePlugins.zip(fixtures, "boarded", "v1.0.0");
    assertEquals(
        201,
        api(
                "POST",
                "plugins/portables",
                admin,
                "{\"name\":\"boarded\",\"file\":\"file://" + zip + "\"}")
            .statusCode());

    signIn(admin, "board");
    By pidCell = By.cssSelector("#board tr[data-name=boarded] td[data-field=pid]");
    String pid =
        browser.await(
            d -> {
              List<WebElement> cells = d.findElements(pidCell);
              return cells.isEmpty() || !cells.get(0).getText().matches("\\d+")
                  ? null
                  : cells.get(0).getText();
            },
            WAIT);
    js("window.__kpmPage = 'same'");
    browser.assertNoSeriousViolations();
    browser.screenshot("console-board");

    ProcessHandle.of(Long.parseLong(pid)).orElseThrow().destroyForcibly();

    String newPid =
        browser.await(
            d -> {
              String now = d.findElement(pidCell).getText();
              return now.matches("\\d+") && !now.equals(pid) ? now : null;
            },
            WAIT);
    assertNotEquals(pid, newPid);
    assertEquals(
        "1",
        web.findElement(By.cssSelector("#board tr[data-name=boarded] td[data-field=restarts]"))
            .getText());
    assertEquals(
        "signal: killed",
        web.findElement(By.cssSelector("#board tr[data-name=boarded] td[data-field=lastExit]"))
            .getText());
    assertEquals("same", js("return window.__kpmPage"), "the page was reloaded");
    browser.screenshot("console-board-restarted");
    // Its install log opens from the board.
    web.findElement(
            By.cssSelector(
                "#board tr[data-name=boarded] button[aria-label='Install log of boarded']"))
        .click();
    assertTrue(waitForText(By.id("dialog-body"), "CREATE").contains("CREATE — SUCCEEDED"));
    web.findElement(By.id("dialog-close")).click();
    web.findElement(
            By.cssSelector("#board tr[data-name=boarded] button[aria-label='Output of boarded']"))
        .click();
    waitFor(By.cssSelector("#dialog-body pre"));
    web.findElement(By.id("dialog-close")).click();

    // Its delete says which process dies.
    web.get(console("plugins/portables"));
    waitFor(By.cssSelector("#plugins tr[data-name=boarded] button.danger")).click();
    String text = waitForText(By.id("dialog-body"), "will be killed");
    assertTrue(text.contains("Its process (pid " + newPid + ") will be killed."), text);
    web.findElement(By.id("dialog-cancel")).click();
  }

  @Test
  void markupFromAPluginOrInAFormIsShownAsTextAndNeverRuns() {
    String meta = "{\"about\":{\"description\":{\"en_US\":\"" + XSS.replace("\"", "\\\"") + "\"}}}";
    Path zip =
        sinkZip(
            "marked",
            List.of(
                Entry.file("marked.json", meta),
                Entry.file("install.sh", 0100755, "#!/bin/sh\necho '" + XSS + "'\n")));
    signIn(admin, "install/create/sinks");
    new Select(waitFor(By.id("install-type"))).selectByValue("sinks");
    // A name that is markup: kpm refuses it, and the refusal shows the name as text.
    web.findElement(By.id("install-name")).sendKeys(XSS);
    web.findElement(By.id("install-url")).sendKeys("file://" + zip);
    web.findElement(By.id("dry-run")).click();
    String refusal = waitForText(By.cssSelector("#plan p.error"), XSS);
    assertTrue(refusal.contains(XSS), refusal);

    WebElement name = web.findElement(By.id("install-name"));
    name.clear();
    name.sendKeys("marked");
    web.findElement(By.id("dry-run")).click();
    waitFor(By.id("plan-details"));
    web.findElement(By.id("install-go")).click();
    waitForText(By.id("install-result"), "is created");
    assertTrue(web.findElement(By.id("install-output")).getText().contains(XSS));

    web.get(console("plugins/sinks"));
    WebElement row = waitFor(By.cssSelector("#plugins tr[data-name=marked]"));
    browser.await(d -> row.getText().contains(XSS) ? true : null, WAIT);
    assertEquals(0, web.findElements(By.cssSelector("#view img")).size());
    assertNoAlertAndNoScriptRan();
    assertTrue(
        browser.consoleErrors().stream()
            .noneMatch(e -> e.getMessage().contains("Content Security Policy")),
        browser.consoleErrors().toString());
  }

  @Test
  void tokensAreShownOnceAndTheAuditAndUdfScreensAreAccessible() {
    signIn(admin, "tokens");
    waitFor(By.id("token-name")).sendKeys("ci-robot");
    new Select(web.findElement(By.id("token-role"))).selectByValue("viewer");
    web.findElement(By.id("token-create")).click();
    String secret =
        browser.await(
            d -> {
              List<WebElement> s = d.findElements(By.id("token-secret"));
              return s.isEmpty() ? null : s.get(0).getAttribute("value");
            },
            WAIT);
    assertTrue(secret.startsWith("kpm_"), secret);
    assertEquals(200, api("GET", "auth/me", secret, null).statusCode());
    browser.assertNoSeriousViolations();
    browser.screenshot("console-tokens");
    web.navigate().refresh();
    waitFor(By.cssSelector("#tokens tr[data-name=ci-robot]"));
    assertFalse(web.getPageSource().contains(secret), "the secret is shown again");

    web.findElement(By.cssSelector("#tokens tr[data-name=ci-robot] button.danger")).click();
    waitFor(By.id("dialog-confirm")).click();
    waitForText(By.cssSelector("#tokens tr[data-name=ci-robot]"), "revoked");
    assertEquals(401, api("GET", "auth/me", secret, null).statusCode());

    web.get(console("audit"));
    new Select(waitFor(By.id("audit-action"))).selectByValue("token.revoke");
    web.findElement(By.id("audit-apply")).click();
    waitForText(By.id("audit-table"), "token.revoke");
    web.findElement(By.id("audit-csv")).click();
    waitForText(By.cssSelector("#view p.ok"), "Exported");
    browser.assertNoSeriousViolations();
    browser.screenshot("console-audit");

    Path functions =
        TestPlugins.zip(fixtures.resolve("udfdemo.zip"), List.of(Entry.file("Udfdemo.so", "so")));
    assertEquals(
        201,
        api(
                "POST",
                "plugins/functions",
                admin,
                "{\"name\":\"udfdemo\",\"file\":\"file://"
                    + functions
                    + "\",\"functions\":[\"alpha\",\"beta\"]}")
            .statusCode());
    web.get(console("udfs"));
    String udfs = waitForText(By.id("udfs"), "beta");
    assertTrue(udfs.contains("alpha udfdemo"), udfs);
    browser.assertNoSeriousViolations();
    browser.screenshot("console-udfs");

    // The fleet screen lists this node, live.
    web.get(console("fleet"));
    String node = waitForText(By.id("fleet-nodes"), "this node");
    assertTrue(node.contains("live"), node);
    browser.assertNoSeriousViolations();
    browser.screenshot("console-fleet");
  }

  @Test
  void onATabletTheScreensFitTheWidthAndStayAccessible() {
    try (Browser tablet = Browser.tablet()) {
      WebDriver t = tablet.driver();
      t.get(console(""));
      ((JavascriptExecutor) t).executeScript("sessionStorage.clear()");
      t.navigate().refresh();
      tablet.await(d -> d.findElement(By.id("signin-token")).isDisplayed() ? true : null, WAIT);
      t.findElement(By.id("signin-token")).sendKeys(admin);
      t.findElement(By.cssSelector("#signin-form button[type=submit]")).click();
      tablet.await(d -> d.findElement(By.id("nav")).isDisplayed() ? true : null, WAIT);
      for (String hash : List.of("plugins/sinks", "install/create/sinks", "board", "audit")) {
        ((JavascriptExecutor) t).executeScript("location.hash = arguments[0]", hash);
        tablet.await(d -> d.findElements(By.cssSelector("#view h1")).isEmpty() ? null : true, WAIT);
        Object overflow =
            ((JavascriptExecutor) t)
                .executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
        assertEquals(0L, ((Number) overflow).longValue(), hash + " is wider than the tablet");
        tablet.assertNoSeriousViolations();
      }
      ((JavascriptExecutor) t).executeScript("location.hash = 'install/create/sinks'");
      tablet.await(d -> d.findElements(By.id("install-name")).isEmpty() ? null : true, WAIT);
      tablet.screenshot("console-tablet-install");
    }
  }

  @Test
  void aVerifiedPrebuildPluginIsPickedFromTheCatalogueAndInstalled() {
    signIn(admin, "install/create/sources");
    waitFor(By.id("mode-catalogue")).click();
    WebElement catalogue = waitFor(By.id("install-catalogue"));
    try {
      browser.await(
          d ->
              d.findElements(By.cssSelector("#install-catalogue option")).stream()
                      .anyMatch(o -> o.getText().equals("zmq"))
                  ? true
                  : null,
          WAIT);
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError(
          "the catalogue did not offer zmq; the page says: "
              + web.findElement(By.id("view")).getText(),
          e);
    }
    // Only what the host really has is offered.
    assertEquals(
        List.of("— choose a plugin —", "zmq"),
        new Select(catalogue).getOptions().stream().map(WebElement::getText).toList());
    new Select(catalogue).selectByVisibleText("zmq");
    assertEquals("zmq", web.findElement(By.id("install-name")).getAttribute("value"));
    web.findElement(By.id("dry-run")).click();
    waitFor(By.id("plan-details"));
    web.findElement(By.id("install-go")).click();
    assertEquals("sources plugin zmq is created", waitForText(By.id("install-result"), "created"));
    assertEquals(200, status("plugins/sources/zmq"));
  }

  @Test
  void theListFiltersAndSortsAndAnUpdateFromItsRowReplacesTheVersion() {
    for (String name : List.of("alphasink", "betasink")) {
      Path zip = sinkZip(name, List.of());
      assertEquals(
          201,
          api(
                  "POST",
                  "plugins/sinks",
                  admin,
                  "{\"name\":\"" + name + "\",\"file\":\"file://" + zip + "\"}")
              .statusCode());
    }
    signIn(admin, "plugins/sinks");
    waitFor(By.cssSelector("#plugins tr[data-name=betasink]"));
    // Sorting by name twice puts betasink before alphasink.
    web.findElement(By.cssSelector("button.sort[data-key=name]")).click();
    String order =
        browser.await(
            d -> {
              List<String> names =
                  d.findElements(By.cssSelector("#plugins tbody tr")).stream()
                      .map(r -> r.getAttribute("data-name"))
                      .filter(n -> n.equals("alphasink") || n.equals("betasink"))
                      .toList();
              return names.equals(List.of("betasink", "alphasink")) ? names.toString() : null;
            },
            WAIT);
    assertEquals("[betasink, alphasink]", order);
    WebElement filter = web.findElement(By.id("plugin-filter"));
    filter.sendKeys("alpha");
    browser.await(
        d -> d.findElements(By.cssSelector("#plugins tbody tr")).size() == 1 ? true : null, WAIT);
    assertEquals(
        "alphasink",
        web.findElement(By.cssSelector("#plugins tbody tr")).getAttribute("data-name"));

    // Update from the row: the form knows type and name; a v2 zip replaces v1.
    web.findElement(
            By.cssSelector("#plugins tr[data-name=alphasink] a[aria-label='Update alphasink']"))
        .click();
    waitFor(By.id("install-url"));
    assertEquals("alphasink", web.findElement(By.id("install-name")).getAttribute("value"));
    Path v2 =
        TestPlugins.zip(
            fixtures.resolve("alphasink-v2.zip"),
            List.of(Entry.file("Alphasink@v2.0.0.so", "so2")));
    web.findElement(By.id("install-url")).sendKeys("file://" + v2);
    web.findElement(By.id("dry-run")).click();
    assertTrue(waitForText(By.id("plan-details"), "v2.0.0").contains("v1.0.0 → v2.0.0"));
    web.findElement(By.id("install-go")).click();
    String updated = waitForText(By.id("install-result"), "updated");
    assertTrue(updated.startsWith("plugin alphasink is updated"), updated);
    assertTrue(
        api("GET", "plugins/sinks/alphasink", admin, null)
            .body()
            .contains("\"version\":\"2.0.0\""));
  }
}
