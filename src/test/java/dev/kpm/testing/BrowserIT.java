package dev.kpm.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpHandler;
import dev.kpm.testing.Browser.Violation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.logging.LogEntry;

/**
 * The browser-test infrastructure itself ({@link Browser}): Debian's Chromium through its driver on
 * pages from a loopback {@link FixtureServer}: text, typing and clicking, screenshots at both
 * window sizes, axe-core on a page with known violations and on a clean one under the console's
 * Content-Security-Policy, and console errors.
 */
class BrowserIT {
  /** The console's policy (issue 16): the good page runs under it. */
  private static final String CSP = "default-src 'self'";

  private static final String GOOD =
      """
      <!doctype html>
      <html lang="en">
      <head><meta charset="utf-8"><title>Plugins</title><script src="/app.js" defer></script></head>
      <body>
        <main>
          <h1 id="greeting">Hello, kpm</h1>
          <label for="name">Plugin name</label> <input id="name" type="text">
          <button id="add" type="button">Add</button>
          <p id="out" aria-live="polite"></p>
        </main>
      </body>
      </html>
      """;

  private static final String APP =
      """
      document.getElementById('add').addEventListener('click', () => {
        document.getElementById('out').textContent = 'added ' + document.getElementById('name').value;
      });
      """;

  /** An image without a text alternative and a field without a label: critical for axe. */
  private static final String BAD =
      """
      <!doctype html>
      <html lang="en">
      <head><meta charset="utf-8"><title>Bad</title></head>
      <body><main>
        <h1>Bad</h1>
        <img id="logo" src="/logo.png">
        <input id="unlabelled" type="text">
      </main></body>
      </html>
      """;

  /** A script error, and an inline script its Content-Security-Policy refuses. */
  private static final String BROKEN =
      """
      <!doctype html>
      <html lang="en">
      <head><meta charset="utf-8"><title>Broken</title><script src="/broken.js"></script></head>
      <body><main><h1>Broken</h1><script>document.title = 'inline ran';</script></main></body>
      </html>
      """;

  private static FixtureServer server;

  @BeforeAll
  static void serve() {
    server =
        new FixtureServer()
            .on("/good", page(GOOD, CSP))
            .on("/app.js", script(APP))
            .on("/bad", page(BAD, CSP))
            .on("/logo.png", ex -> FixtureServer.send(ex, 200, png1x1()))
            .on("/broken", page(BROKEN, CSP))
            .on("/broken.js", script("window.kpmNoSuchObject.call();"))
            .on("/favicon.ico", ex -> FixtureServer.send(ex, 204, new byte[0]));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aPageLoadsAndTextTypingAndClicksWork() {
    try (Browser browser = Browser.start()) {
      browser.open(server.uri("/good"));
      assertEquals("Hello, kpm", browser.text(By.id("greeting")));
      browser.type(By.id("name"), "zmq").click(By.id("add"));
      browser.await(d -> browser.text(By.id("out")).equals("added zmq"));
      assertEquals("Plugins", browser.driver().getTitle());
      assertEquals(List.of(), browser.consoleErrors(), "no error on the good page under its CSP");
    }
  }

  @Test
  void screenshotsArePngsOfTheWindowAtLaptopAndTabletSizes() throws IOException {
    try (Browser laptop = Browser.start()) {
      laptop.open(server.uri("/good")).text(By.id("greeting"));
      assertPng(laptop.screenshot("browser-it-laptop"), 1280, 900);
    }
    try (Browser tablet = Browser.tablet()) {
      tablet.open(server.uri("/good")).text(By.id("greeting"));
      assertPng(tablet.screenshot("browser-it-tablet"), 820, 1180);
    }
  }

  @Test
  void axeReportsTheKnownSeriousViolationsOfABadPageWithTheirElements() {
    try (Browser browser = Browser.start()) {
      browser.open(server.uri("/bad")).text(By.tagName("h1"));
      Map<String, Violation> serious =
          browser.seriousViolations().stream()
              .collect(Collectors.toMap(Violation::id, v -> v, (a, b) -> a));
      assertTrue(serious.containsKey("image-alt"), "image-alt in " + serious.keySet());
      assertTrue(serious.containsKey("label"), "label in " + serious.keySet());
      assertEquals("#logo", serious.get("image-alt").nodes().get(0).target());
      assertEquals("#unlabelled", serious.get("label").nodes().get(0).target());

      AssertionError failure =
          assertThrows(AssertionError.class, browser::assertNoSeriousViolations);
      assertTrue(failure.getMessage().contains("image-alt (critical)"), failure.getMessage());
      assertTrue(failure.getMessage().contains("#unlabelled"), failure.getMessage());
    }
  }

  @Test
  void axeFindsNothingSeriousOnAGoodPageAndRunsUnderTheConsolesCsp() {
    try (Browser browser = Browser.start()) {
      browser.open(server.uri("/good")).text(By.id("greeting"));
      browser.assertNoSeriousViolations();
      // A second run on the same page reuses the injected axe.
      assertEquals(List.of(), browser.seriousViolations());
      assertEquals(List.of(), browser.consoleErrors(), "axe caused no CSP violation");
    }
  }

  @Test
  void aScriptErrorAndACspViolationShowUpInConsoleErrors() {
    try (Browser browser = Browser.start()) {
      browser.open(server.uri("/broken")).text(By.tagName("h1"));
      browser.await(
          d ->
              messages(browser.consoleErrors()).contains("Uncaught TypeError")
                  && messages(browser.consoleErrors()).contains("broken.js")
                  && messages(browser.consoleErrors()).contains("Content Security Policy"));
      assertEquals("Broken", browser.driver().getTitle(), "the refused inline script did not run");
    }
  }

  private static String messages(List<LogEntry> entries) {
    return entries.stream().map(LogEntry::getMessage).collect(Collectors.joining("\n"));
  }

  private static void assertPng(Path file, int width, int height) throws IOException {
    assertTrue(
        file.endsWith(Path.of("target", "screenshots", file.getFileName().toString())), "" + file);
    byte[] png = Files.readAllBytes(file);
    byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    assertArrayEquals(signature, Arrays.copyOf(png, 8), file + " is a PNG");
    assertEquals("IHDR", new String(png, 12, 4, StandardCharsets.US_ASCII));
    ByteBuffer ihdr = ByteBuffer.wrap(png, 16, 8);
    assertEquals(width, ihdr.getInt(), file + " width");
    assertEquals(height, ihdr.getInt(), file + " height");
    assertFalse(png.length < 1000, file + " has content (" + png.length + " bytes)");
  }

  private static HttpHandler page(String html, String csp) {
    return ex -> {
      ex.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
      ex.getResponseHeaders().add("Content-Security-Policy", csp);
      FixtureServer.send(ex, 200, html.getBytes(StandardCharsets.UTF_8));
    };
  }

  private static HttpHandler script(String js) {
    return ex -> {
      ex.getResponseHeaders().add("Content-Type", "text/javascript; charset=utf-8");
      FixtureServer.send(ex, 200, js.getBytes(StandardCharsets.UTF_8));
    };
  }

  /** A 1×1 transparent PNG. */
  private static byte[] png1x1() {
    return Base64.getDecoder()
        .decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");
  }
}
