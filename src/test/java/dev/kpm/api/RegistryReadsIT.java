package dev.kpm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kpm.testing.ApiTest;
import dev.kpm.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The read endpoints answer with what kpm's database held when it started (native plugins and UDFs,
 * kept in memory from then on) or holds now (portables), in eKuiper's exact JSON shapes.
 */
class RegistryReadsIT extends ApiTest {

  @Override
  protected void beforeStart(TestDatabase.Coordinates db) {
    TestDatabase.migrate(db);
    TestDatabase.sql(
        db,
        "INSERT INTO plugin (type, name, version, state, artifact) VALUES"
            + " ('sources', 'random', 'v1.0.0', 'INSTALLED', 'Random@v1.0.0.so'),"
            + " ('sources', 'zeta', '', 'INSTALLED', 'zeta.so'),"
            + " ('sources', 'halfway', '', 'INSTALLING', 'Halfway.so'),"
            + " ('sinks', 'file2', 'vv1', 'INSTALLED', 'file2@vv1.so'),"
            + " ('functions', 'echo2', '20200331', 'INSTALLED', 'Echo2@20200331.so'),"
            + " ('functions', 'plain', '', 'INSTALLED', 'Plain.so')",
        "UPDATE plugin SET functions_declared = TRUE WHERE name = 'echo2'",
        "INSERT INTO function_symbol (name, plugin_id, position)"
            + " SELECT 'echo3', id, 1 FROM plugin WHERE name = 'echo2' UNION ALL"
            + " SELECT 'echo2', id, 0 FROM plugin WHERE name = 'echo2' UNION ALL"
            + " SELECT 'plain', id, 0 FROM plugin WHERE name = 'plain'");
  }

  /** Portables are read from the database on every request (their status is live). */
  @BeforeAll
  void arrangePortables() {
    kpm.sql(
        "INSERT INTO plugin (type, name, version, state, artifact) VALUES"
            + " ('portables', 'mirror', 'v1.0.0', 'INSTALLED', 'mirror'),"
            + " ('portables', 'pysam', '', 'INSTALLED', 'pysam')",
        "INSERT INTO portable_meta (plugin_id, language, executable, sources, sinks, functions)"
            + " SELECT id, 'go', 'mirror', '{randomGo}', '{fileGo}', '{echoGo}' FROM plugin"
            + " WHERE name = 'mirror'",
        "INSERT INTO portable_meta (plugin_id, language, executable, virtual_env_type, env,"
            + " functions) SELECT id, 'python', 'pysam.py', 'conda', 'py38', '{revert}'"
            + " FROM plugin WHERE name = 'pysam'");
  }

  private String get(String path) {
    return target(path).request().get(String.class);
  }

  @Test
  void listShowsInstalledNamesOnlyNotInstallsInFlight() {
    assertEquals("[\"random\",\"zeta\"]", get("plugins/sources"));
    assertEquals("[\"file2\"]", get("plugins/sinks"));
  }

  @Test
  void describeHidesExactlyOneLeadingV() {
    assertEquals("{\"name\":\"random\",\"version\":\"1.0.0\"}", get("plugins/sources/random"));
    assertEquals("{\"name\":\"file2\",\"version\":\"v1\"}", get("plugins/sinks/file2"));
    assertEquals("{\"name\":\"zeta\",\"version\":\"\"}", get("plugins/sources/zeta"));
  }

  @Test
  void describeOfAnInstallInFlightIsNotFound() {
    assertEquals(404, target("plugins/sources/halfway").request().get().getStatus());
  }

  @Test
  void functionDescribeListsDeclaredFunctionsFirstInDeclaredOrder() {
    assertEquals(
        "{\"functions\":[\"echo2\",\"echo3\"],\"name\":\"echo2\",\"version\":\"20200331\"}",
        get("plugins/functions/echo2"));
  }

  @Test
  void functionDescribeOmitsFunctionsWhenNoneWereDeclared() {
    assertEquals("{\"name\":\"plain\",\"version\":\"\"}", get("plugins/functions/plain"));
  }

  @Test
  void udfsListEveryNativeFunctionNameAndTheirOwner() {
    assertEquals("[\"echo2\",\"echo3\",\"plain\"]", get("plugins/udfs"));
    assertEquals("{\"name\":\"echo3\",\"plugin\":\"echo2\"}", get("plugins/udfs/echo3"));
  }

  @Test
  void portableListHasInfoObjectsWithNullForAbsentSymbolLists() {
    String portable = kpm.home().resolve("plugins/portable").toString();
    assertEquals(
        "[{\"name\":\"mirror\",\"version\":\"v1.0.0\",\"language\":\"go\",\"executable\":\""
            + portable
            + "/mirror/mirror\",\"sources\":[\"randomGo\"],\"sinks\":[\"fileGo\"],"
            + "\"functions\":[\"echoGo\"]},"
            + "{\"name\":\"pysam\",\"version\":\"\",\"language\":\"python\",\"executable\":\""
            + portable
            + "/pysam/pysam.py\",\"virtualEnvType\":\"conda\",\"env\":\"py38\","
            + "\"sources\":null,\"sinks\":null,\"functions\":[\"revert\"]}]",
        get("plugins/portables"));
  }

  @Test
  void portableDescribeIsTheInfoObjectMergedWithTheStatus() {
    String portable = kpm.home().resolve("plugins/portable").toString();
    assertEquals(
        "{\"name\":\"mirror\",\"version\":\"v1.0.0\",\"language\":\"go\",\"executable\":\""
            + portable
            + "/mirror/mirror\",\"sources\":[\"randomGo\"],\"sinks\":[\"fileGo\"],"
            + "\"functions\":[\"echoGo\"],\"refCount\":{},\"status\":\"initializing\","
            + "\"errMsg\":\"\",\"pid\":0,\"restarts\":0,\"startedAt\":null,\"lastExit\":null}",
        get("plugins/portables/mirror"));
  }
}
