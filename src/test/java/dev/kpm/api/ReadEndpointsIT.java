package dev.kpm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kpm.testing.ApiTest;
import jakarta.ws.rs.core.Response;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The read endpoints on an empty registry: eKuiper's exact statuses and bodies. */
class ReadEndpointsIT extends ApiTest {

  private Response get(String path) {
    return target(path).request().get();
  }

  private static void assertJson(Response response, int status, String body) {
    assertEquals(status, response.getStatus());
    assertEquals("application/json", response.getMediaType().toString());
    assertEquals(body, response.readEntity(String.class));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sources", "sinks", "functions", "portables", "udfs"})
  void listOfAnEmptyRegistryIsAnEmptyJsonArray(String type) {
    assertJson(get("plugins/" + type), 200, "[]");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sources", "sinks", "functions"})
  void describeOfAnUnknownNativePluginIs404WithEkuipersText(String type) {
    assertJson(
        get("plugins/" + type + "/x"),
        404,
        "{\"error\":1002,\"message\":\"describe " + type + " plugin x error: not found\"}\n");
  }

  @Test
  void describeOfAnUnknownPortableIs404WithEkuipersText() {
    assertJson(
        get("plugins/portables/nope"),
        404,
        "{\"error\":1002,\"message\":\"describe portable plugin nope error: not found\"}\n");
  }

  @Test
  void describeOfAnUnknownUdfIs404WithEkuipersText() {
    assertJson(
        get("plugins/udfs/nope"),
        404,
        "{\"error\":1002,\"message\":\"describe function nope error: not found\"}\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sources", "sinks", "functions", "portables", "udfs"})
  void aNameWithInvalidCharactersIs400WithTheValidateIdText(String type) {
    assertJson(
        get("plugins/" + type + "/a.b"),
        400,
        "{\"error\":1000,\"message\":\"id 'a.b' contains invalid characters: only alphanumeric,"
            + " hyphens and underscores are allowed\"}\n");
  }

  @Test
  void urlEncodedNamesAreDecodedBeforeValidation() {
    assertJson(
        get("plugins/sources/invalid%20name"),
        400,
        "{\"error\":1000,\"message\":\"id 'invalid name' contains invalid characters: only"
            + " alphanumeric, hyphens and underscores are allowed\"}\n");
  }

  @Test
  void leadingWhitespaceIsReportedBeforeInvalidCharacters() {
    assertJson(
        get("plugins/sinks/%20x"),
        400,
        "{\"error\":1000,\"message\":\"id ' x' contains leading or trailing whitespace\"}\n");
  }

  @Test
  void patchOfAPluginIs405InTheErrorEnvelope() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(getBaseUri().resolve("plugins/sources/x"))
                    .method("PATCH", HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(405, response.statusCode());
    assertEquals("DELETE,GET,OPTIONS,PUT", response.headers().firstValue("Allow").orElseThrow());
    assertEquals("{\"error\":1000,\"message\":\"405 method not allowed\"}\n", response.body());
  }

  @Test
  void deleteOfATypeListIs405() {
    assertJson(
        target("plugins/sources").request().delete(),
        405,
        "{\"error\":1000,\"message\":\"405 method not allowed\"}\n");
  }

  @Test
  void prebuildListsDownloadUrlsForThisMachine() {
    String body = get("plugins/functions/prebuild").readEntity(String.class);
    String arch = System.getProperty("os.arch").equals("amd64") ? "amd64" : "arm64";
    org.junit.jupiter.api.Assertions.assertTrue(
        body.startsWith(
            "{\"accumulateWordCount\":\"https://packages.emqx.io/kuiper-plugins/2.0.0/debian/functions/accumulateWordCount_"
                + arch
                + ".zip\""),
        body);
  }

  @ParameterizedTest
  @ValueSource(strings = {"nothing", "plugins/sources/", "plugins/wasm", "plugins/sources/x/y"})
  void unknownPathsAre404WithTheRouterText(String path) {
    assertJson(get(path), 404, "{\"error\":1002,\"message\":\"404 page not found\"}\n");
  }
}
