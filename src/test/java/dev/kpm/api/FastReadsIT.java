package dev.kpm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.testing.ApiTest;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import dev.kpm.testing.TomcatTestContainerFactory;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.glassfish.jersey.test.spi.TestContainerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link FastReads} answers the registry's list and describe reads before JAX-RS, with JAX-RS's
 * bytes, from a snapshot no older than the last answered change; everything else reaches JAX-RS.
 * Requests that pass the filter are marked by a filter mapped after it.
 */
class FastReadsIT extends ApiTest {
  private static final String MARK = "X-Test-Reached-Jax-Rs";

  @Override
  protected TestContainerFactory getTestContainerFactory() {
    return new TomcatTestContainerFactory(
        context -> {
          kpm.runtime().mount(context);
          Filter mark =
              (request, response, chain) -> {
                ((HttpServletResponse) response).setHeader(MARK, "yes");
                chain.doFilter(request, response);
              };
          context.addFilter("mark", mark).addMappingForUrlPatterns(null, true, "/*");
        });
  }

  @BeforeAll
  void installPlugins() {
    install("sources", "random", "");
    install("sinks", "file2", "");
    install("functions", "echo2", ",\"functions\":[\"echo2\",\"echo3\"]");
    install("functions", "plain", "");
  }

  private void install(String type, String name, String extra) {
    Response r = post(type, name, extra);
    assertEquals(201, r.getStatus(), r.readEntity(String.class));
  }

  private Response post(String type, String name, String extra) {
    String upper = Character.toUpperCase(name.charAt(0)) + name.substring(1);
    Path zip =
        TestPlugins.zip(
            fixtures.resolve(type + "-" + name + ".zip"),
            List.of(
                Entry.file(upper + "@v1.0.0.so", "so"),
                Entry.file(name + ".yaml", type.equals("functions") ? "" : "default: {}\n")));
    String body = "{\"name\":\"" + name + "\",\"file\":\"file://" + zip + "\"" + extra + "}";
    return target("plugins/" + type)
        .request()
        .post(Entity.entity(body, MediaType.APPLICATION_JSON));
  }

  private Response get(String path) {
    return target(path).request().get();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "plugins/sources",
        "plugins/sinks",
        "plugins/functions",
        "plugins/udfs",
        "plugins/sources/random",
        "plugins/sinks/file2",
        "plugins/functions/echo2",
        "plugins/functions/plain",
        "plugins/udfs/echo3"
      })
  void aListOrDescribeIsAnsweredBeforeJaxRsWithTheBytesJaxRsSends(String path) {
    Response fast = get(path);
    Response viaJaxRs = target(path).queryParam("via", "jax-rs").request().get();
    assertEquals(200, fast.getStatus());
    assertNull(fast.getHeaderString(MARK), "answered by the filter");
    assertEquals("yes", viaJaxRs.getHeaderString(MARK));
    assertEquals(viaJaxRs.getStatus(), fast.getStatus());
    assertEquals(viaJaxRs.getMediaType(), fast.getMediaType());
    assertEquals("application/json", fast.getMediaType().toString());
    assertEquals(viaJaxRs.getLength(), fast.getLength());
    assertEquals(viaJaxRs.readEntity(String.class), fast.readEntity(String.class));
  }

  @Test
  void theAnswersShowTheRegistry() {
    assertEquals("[\"random\"]", get("plugins/sources").readEntity(String.class));
    assertEquals("[\"echo2\",\"plain\"]", get("plugins/functions").readEntity(String.class));
    assertEquals(
        "{\"functions\":[\"echo2\",\"echo3\"],\"name\":\"echo2\",\"version\":\"1.0.0\"}",
        get("plugins/functions/echo2").readEntity(String.class));
    assertEquals("[\"echo2\",\"echo3\",\"plain\"]", get("plugins/udfs").readEntity(String.class));
    assertEquals(
        "{\"name\":\"echo3\",\"plugin\":\"echo2\"}",
        get("plugins/udfs/echo3").readEntity(String.class));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "plugins/sources/nope", // not installed: JAX-RS answers the 404
        "plugins/udfs/nope",
        "plugins/sources/a.b", // ValidateID's 400
        "plugins/sources/%72andom", // needs decoding
        "plugins/sources/", // strict slash: 404
        "plugins/sources/prebuild", // the prebuild listing
        "plugins/sources/random/health",
        "plugins/portables", // live status: always JAX-RS
        "plugins/nothing"
      })
  void everyOtherReadReachesJaxRs(String path) {
    assertEquals("yes", get(path).getHeaderString(MARK), path);
  }

  @Test
  void anAcceptWithoutJsonIsNegotiatedByJaxRs() {
    Response r = target("plugins/sources").request("text/plain").get();
    assertEquals("yes", r.getHeaderString(MARK));
    assertEquals(406, r.getStatus());
  }

  @Test
  void acceptHeadersTheFilterTakes() {
    assertTrue(FastReads.acceptsJson(null));
    assertTrue(FastReads.acceptsJson("*/*"));
    assertTrue(FastReads.acceptsJson("application/json"));
    assertTrue(FastReads.acceptsJson("text/plain, application/*"));
    assertTrue(FastReads.acceptsJson("text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2"));
    assertTrue(FastReads.acceptsJson("text/html,application/xml;q=0.9,*/*;q=0.8"));
    assertFalse(FastReads.acceptsJson("text/plain"));
    assertFalse(FastReads.acceptsJson("application/json;q=0"));
    assertFalse(FastReads.acceptsJson("application/json;q=0, */*"), "the specific range rules");
    assertFalse(FastReads.acceptsJson("*/*;q=x"), "unreadable: left to JAX-RS");
  }

  @Test
  void aDropIsSeenByTheVeryNextRead() {
    install("sinks", "brief", "");
    assertEquals(200, get("plugins/sinks/brief").getStatus());
    assertEquals("[\"brief\",\"file2\"]", get("plugins/sinks").readEntity(String.class));
    assertEquals(200, target("plugins/sinks/brief").request().delete().getStatus());
    Response gone = get("plugins/sinks/brief");
    assertEquals(404, gone.getStatus());
    assertEquals("yes", gone.getHeaderString(MARK));
    assertEquals("[\"file2\"]", get("plugins/sinks").readEntity(String.class));
  }

  @Test
  void aSnapshotThatCannotBeLoadedIsAJsonErrorFromJaxRsAndReadsRecoverAfter() {
    install("sinks", "doomed", "");
    kpm.sql("ALTER TABLE plugin RENAME TO plugin_away");
    try {
      // The drop fails on the missing table, yet counts as a change: the next read must reload.
      assertEquals(500, target("plugins/sinks/doomed").request().delete().getStatus());
      Response failed = get("plugins/sinks");
      assertEquals(500, failed.getStatus());
      assertEquals("yes", failed.getHeaderString(MARK));
      assertEquals("application/json", failed.getMediaType().toString());
      assertTrue(failed.readEntity(String.class).startsWith("{\"error\":"));
    } finally {
      kpm.sql("ALTER TABLE plugin_away RENAME TO plugin");
    }
    Response recovered = get("plugins/sinks");
    assertEquals(200, recovered.getStatus());
    assertNull(recovered.getHeaderString(MARK));
    assertEquals(200, target("plugins/sinks/doomed").request().delete().getStatus());
  }

  @Test
  void readsDuringParallelInstallsNeverHideAnAnsweredInstall() throws Exception {
    List<String> names = IntStream.range(0, 16).mapToObj(i -> "par" + i).toList();
    AtomicBoolean installing = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(names.size() + 2);
    try {
      List<Future<?>> readers = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        readers.add(
            pool.submit(
                () -> {
                  while (installing.get()) {
                    assertEquals(200, get("plugins/sources").getStatus());
                  }
                }));
      }
      List<Future<Void>> installs = new ArrayList<>();
      for (String name : names) {
        installs.add(
            pool.submit(
                () -> {
                  install("sources", name, "");
                  // Once this install has answered, every read shows it.
                  assertTrue(
                      get("plugins/sources/" + name).getStatus() == 200,
                      name + " must be visible after its 201");
                  return null;
                }));
      }
      for (Future<Void> f : installs) {
        f.get();
      }
      installing.set(false);
      for (Future<?> f : readers) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    String list = get("plugins/sources").readEntity(String.class);
    for (String name : names) {
      assertTrue(list.contains("\"" + name + "\""), name + " in " + list);
    }
    for (String name : names) {
      assertEquals(200, target("plugins/sources/" + name).request().delete().getStatus());
    }
  }
}
