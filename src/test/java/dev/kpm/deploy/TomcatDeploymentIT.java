package dev.kpm.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.Settings;
import dev.kpm.testing.TestDatabase;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.container.annotation.ArquillianTest;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged WAR ({@code target/kpm.war}, as users deploy it) in embedded Tomcat 11 on a fresh
 * PostgreSQL database, driven over real HTTP. Arquillian deploys it under its archive name, so the
 * base URL is {@code http://localhost:<port>/kpm/}. The web application runs child-first on its own
 * classes and libraries, as in a standalone Tomcat ({@link IsolatedWebappClassLoader}).
 */
@ArquillianTest
@RunAsClient
class TomcatDeploymentIT {
  /** The values the set properties had before, null for unset. */
  private static final Map<Settings.Key, String> PREVIOUS = new HashMap<>();

  private static Path home;

  private final HttpClient http = HttpClient.newHttpClient();

  @ArquillianResource private URL base;

  /** Runs before the deployment: Bootstrap reads these system properties when the WAR starts. */
  @Deployment(testable = false)
  static WebArchive kpmWar() throws IOException {
    String packaged = System.getProperty("kpm.it.war");
    if (packaged == null || !new File(packaged).isFile()) {
      throw new IllegalStateException(
          "system property kpm.it.war (set by failsafe) must name the packaged WAR; run `mvn"
              + " package` first. It is: "
              + packaged);
    }
    File war = new File(packaged);
    Path target = war.toPath().getParent();
    home = Files.createTempDirectory(target, "it-tomcat-").resolve("kpm-home");
    TestDatabase.Coordinates db = TestDatabase.fresh();
    set(Settings.Key.HOME, home.toString());
    set(Settings.Key.DB_URL, db.url());
    set(Settings.Key.DB_USER, db.user());
    set(Settings.Key.DB_PASSWORD, db.password());
    WebArchive archive = ShrinkWrap.createFromZipFile(WebArchive.class, war);
    return archive.addAsManifestResource(
        new StringAsset(withIsolatedLoader(read(archive, "META-INF/context.xml"))), "context.xml");
  }

  @AfterAll
  static void restoreSystemProperties() {
    PREVIOUS.forEach(
        (key, previous) -> {
          if (previous == null) {
            System.clearProperty(key.property);
          } else {
            System.setProperty(key.property, previous);
          }
        });
    PREVIOUS.clear();
  }

  @Test
  void emptyRegistryListsNoSourcesAsAnEmptyJsonArray() throws Exception {
    assertJson(get("plugins/sources"), 200, "[]");
  }

  @Test
  void emptyRegistryListsNoPortablesAsAnEmptyJsonArray() throws Exception {
    assertJson(get("plugins/portables"), 200, "[]");
  }

  @Test
  void emptyRegistryListsNoUdfsAsAnEmptyJsonArray() throws Exception {
    assertJson(get("plugins/udfs"), 200, "[]");
  }

  @Test
  void aNameWithInvalidCharactersIs400WithEkuipersValidateIdText() throws Exception {
    assertJson(
        get("plugins/sources/a.b"),
        400,
        "{\"error\":1000,\"message\":\"id 'a.b' contains invalid characters: only alphanumeric,"
            + " hyphens and underscores are allowed\"}\n");
  }

  @Test
  void anUnknownUdfIs404WithEkuipersNotFoundText() throws Exception {
    assertJson(
        get("plugins/udfs/nope"),
        404,
        "{\"error\":1002,\"message\":\"describe function nope error: not found\"}\n");
  }

  @Test
  void patchOnAPluginIs405() throws Exception {
    HttpRequest patch =
        HttpRequest.newBuilder(uri("plugins/sources/x"))
            .method("PATCH", HttpRequest.BodyPublishers.noBody())
            .build();
    assertEquals(405, http.send(patch, HttpResponse.BodyHandlers.ofString()).statusCode());
  }

  @Test
  void deployingCreatesTheKpmHomeLayout() {
    for (String folder :
        List.of(
            "plugins/sources",
            "plugins/sinks",
            "plugins/functions",
            "plugins/portable",
            "etc/sources",
            "data/uploads")) {
      assertTrue(Files.isDirectory(home.resolve(folder)), folder + " missing below " + home);
    }
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create(base.toExternalForm()).resolve(path);
  }

  private static void assertJson(HttpResponse<String> response, int status, String body) {
    assertEquals(status, response.statusCode());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(null));
    assertEquals(body, response.body());
  }

  private static void set(Settings.Key key, String value) {
    PREVIOUS.putIfAbsent(key, System.getProperty(key.property));
    System.setProperty(key.property, value);
  }

  private static String read(WebArchive archive, String path) {
    try (InputStream in = archive.get(path).getAsset().openStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * kpm's own context.xml (JarScanFilter kept) plus a loader that keeps the test class path, which
   * also holds kpm's classes, Jersey and the rest, out of the web application.
   */
  private static String withIsolatedLoader(String contextXml) {
    if (!contextXml.contains("</Context>")) {
      throw new IllegalStateException("unexpected META-INF/context.xml in kpm.war: " + contextXml);
    }
    return contextXml.replace(
        "</Context>",
        "  <Loader loaderClass=\""
            + IsolatedWebappClassLoader.class.getName()
            + "\"/>\n</Context>");
  }
}
