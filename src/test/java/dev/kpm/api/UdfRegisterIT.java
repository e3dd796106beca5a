package dev.kpm.api;

import static dev.kpm.api.NativeTestSupport.assertError;
import static dev.kpm.api.NativeTestSupport.assertText;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kpm.testing.ApiTest;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The register API: a transactional, ownership-aware replacement of a function list (docs/api.md
 * §9.5).
 */
class UdfRegisterIT extends ApiTest {

  @BeforeAll
  void installTwoFunctionPlugins() {
    for (String name : List.of("fa", "fb")) {
      String upper = name.toUpperCase().charAt(0) + name.substring(1);
      Path zip =
          TestPlugins.zip(
              fixtures.resolve(name + ".zip"), List.of(Entry.file(upper + ".so", "so")));
      String body =
          "{\"name\":\""
              + name
              + "\",\"file\":\"file://"
              + zip
              + "\",\"functions\":[\""
              + name
              + "1\",\""
              + name
              + "2\"]}";
      assertEquals(
          201,
          target("plugins/functions")
              .request()
              .post(Entity.entity(body, MediaType.APPLICATION_JSON))
              .getStatus());
    }
  }

  private Response register(String name, String body) {
    return target("plugins/functions/" + name + "/register")
        .request()
        .post(Entity.entity(body, MediaType.APPLICATION_JSON));
  }

  private String udfs() {
    return target("plugins/udfs").request().get(String.class);
  }

  @Test
  void registerReplacesTheListAndDescribeShowsIt() {
    assertText(
        register("fa", "{\"functions\":[\"fa1\",\"fa3\"]}"),
        200,
        "function plugin fa function list is registered");
    assertEquals(
        "{\"name\":\"fa3\",\"plugin\":\"fa\"}",
        target("plugins/udfs/fa3").request().get(String.class));
    assertEquals(404, target("plugins/udfs/fa2").request().get().getStatus());
    assertEquals(
        "{\"functions\":[\"fa1\",\"fa3\"],\"name\":\"fa\",\"version\":\"\"}",
        target("plugins/functions/fa").request().get(String.class));
  }

  @Test
  void aConflictChangesNothing() {
    String before = udfs();
    assertError(
        register("fb", "{\"functions\":[\"fb9\",\"fa1\"]}"),
        400,
        "function plugins fb regiser functions error: function name fa1 already exists");
    assertError(
        register("fb", "{\"functions\":[\"fb9\",\"fb9\"]}"),
        400,
        "function plugins fb regiser functions error: function name fb9 already exists");
    assertEquals(before, udfs());
  }

  @Test
  void anUndecodableBodyIsRefusedAfterTheExistenceCheck() {
    Response r = register("fb", "garbage");
    assertEquals(400, r.getStatus());
    String body = r.readEntity(String.class);
    assertEquals(
        true,
        body.startsWith(
            "{\"error\":1000,\"message\":\"Invalid body: Error decoding the function list json: "),
        body);
  }

  @Test
  void anEmptyListIsRefused() {
    assertError(
        register("fb", "{\"functions\":[]}"),
        400,
        "function plugins fb regiser functions error: property 'functions' must not be empty");
  }

  @Test
  void registerOnAnUnknownPluginIs404BeforeTheBodyIsRead() {
    assertError(
        register("none", "garbage"), 404, "register functions plugin none error: not found");
  }

  @Test
  void registerOnASourceHasNoRoute() {
    assertEquals(
        404, target("plugins/sources/x/register").request().post(Entity.json("{}")).getStatus());
  }
}
