package dev.kpm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.kpm.KpmApplication;
import dev.kpm.security.AccessRules;
import dev.kpm.testing.Endpoints;
import dev.kpm.testing.FakeServices;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.glassfish.jersey.test.JerseyTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * kpm's OpenAPI document (docs/api.md §8.14), as the production {@link KpmApplication} serves it
 * over in-memory services: valid OpenAPI 3.1 by swagger-parser, the same document as YAML and JSON,
 * and exactly the endpoints of the JAX-RS resource model ({@link Endpoints}, the enumeration the
 * role test uses) — an endpoint added without documenting it, or a documented operation kpm does
 * not serve, fails the build. Each operation declares the error envelope, the role {@link
 * AccessRules} grants, security unless public, and the success media types the resource method
 * declares.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiTest extends JerseyTest {
  private static final String ERROR_SCHEMA = "#/components/schemas/Error";
  // Set by configure(), which JerseyTest's constructor calls: no initializer may overwrite it.
  private KpmApplication application;
  private String yaml;
  private String json;
  private OpenAPI document;

  @Override
  protected Application configure() {
    application = new KpmApplication(new FakeServices().services(), () -> false);
    return application;
  }

  @BeforeAll
  void start() throws Exception {
    super.setUp();
    yaml = fetch("openapi.yaml", "application/yaml");
    json = fetch("openapi.json", "application/json");
    ParseOptions options = new ParseOptions();
    options.setResolve(false);
    SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(yaml, null, options);
    assertEquals(List.of(), parsed.getMessages(), "swagger-parser's messages on openapi.yaml");
    document = parsed.getOpenAPI();
    assertNotNull(document);
  }

  @AfterAll
  void stop() throws Exception {
    super.tearDown();
  }

  private String fetch(String path, String type) {
    Response r = target(path).request().get();
    assertEquals(200, r.getStatus(), path);
    assertEquals(type, r.getMediaType().toString(), path);
    return r.readEntity(String.class);
  }

  @Test
  void bothFormsAreValidOpenApi31AndTheSameDocument() throws Exception {
    assertEquals("3.1.0", document.getOpenapi());
    assertFalse(document.getInfo().getVersion().contains("${"), "the build filled in the version");
    SwaggerParseResult fromJson =
        new OpenAPIV3Parser().readContents(json, null, new ParseOptions());
    assertEquals(List.of(), fromJson.getMessages(), "swagger-parser's messages on openapi.json");
    JsonNode fromYaml = new YAMLMapper().readTree(yaml);
    assertEquals(fromYaml, new ObjectMapper().readTree(json));
    assertFalse(json.contains("\n  "), "compact JSON");
  }

  @Test
  void bothFormsCarryAnETagAndAnswer304ToIt() {
    for (String path : List.of("openapi.json", "openapi.yaml")) {
      Response first = target(path).request().get();
      String tag = first.getHeaderString("ETag");
      assertNotNull(tag, path);
      first.close();
      Response again = target(path).request().header("If-None-Match", tag).get();
      assertEquals(304, again.getStatus(), path);
      assertEquals(tag, again.getHeaderString("ETag"), path);
      again.close();
      Response other = target(path).request().header("If-None-Match", "\"other\"").get();
      assertEquals(200, other.getStatus(), path);
      other.close();
    }
  }

  @Test
  void theDocumentNamesExactlyTheEndpointsKpmServes() {
    Set<String> served = new TreeSet<>();
    Set<String> servedConcrete = new TreeSet<>();
    for (Endpoints.Endpoint e : Endpoints.of(application)) {
      served.add(e.toString());
      e.concretePaths().forEach(p -> servedConcrete.add(e.method() + " " + p));
    }
    Set<String> documented = new TreeSet<>();
    Set<String> documentedConcrete = new TreeSet<>();
    operations()
        .forEach(
            (key, op) -> {
              documented.add(key.toString());
              concretePaths(key.path, op.pathItem, op.operation)
                  .forEach(p -> documentedConcrete.add(key.method + " " + p));
            });
    Set<String> undocumented = new TreeSet<>(served);
    undocumented.removeAll(documented);
    Set<String> notServed = new TreeSet<>(documented);
    notServed.removeAll(served);
    assertEquals(
        "",
        (undocumented.isEmpty() ? "" : "served but not in openapi.yaml: " + undocumented)
            + (notServed.isEmpty() ? "" : " in openapi.yaml but not served: " + notServed));
    // Enumerated path parameters ({type}) take exactly the values Jersey's expressions allow.
    assertEquals(servedConcrete, documentedConcrete);
  }

  @Test
  void everyOperationDeclaresTheErrorEnvelopeItsRoleAndItsSecurity() {
    Set<String> schemes = document.getComponents().getSecuritySchemes().keySet();
    assertEquals(Set.of("apiToken", "oidc", "ekuiperJwt"), schemes);
    Map<String, String> wrong = new TreeMap<>();
    operations()
        .forEach(
            (key, op) -> {
              Operation o = op.operation;
              List<String> problems = new ArrayList<>();
              if (o.getResponses().getDefault() == null) {
                problems.add("no default (error) response");
              }
              o.getResponses()
                  .forEach(
                      (status, response) -> {
                        if (!status.startsWith("2") && !status.equals("304")) {
                          Content c = response(response).getContent();
                          MediaType m = c == null ? null : c.get("application/json");
                          if (c == null
                              || c.size() != 1
                              || m == null
                              || !ERROR_SCHEMA.equals(m.getSchema().get$ref())) {
                            problems.add(status + " is not the error envelope " + ERROR_SCHEMA);
                          }
                        }
                      });
              String role = roleOf(key, op);
              Object declared =
                  o.getExtensions() == null ? null : o.getExtensions().get("x-kpm-role");
              if (!role.equals(declared)) {
                problems.add("x-kpm-role " + declared + ", AccessRules grants " + role);
              }
              String description =
                  o.getDescription() == null ? "" : o.getDescription().replaceAll("\\s+", " ");
              if (!description.contains("Role " + role)) {
                problems.add("the description does not say 'Role " + role + "'");
              }
              List<SecurityRequirement> security = o.getSecurity();
              if (role.equals("public")) {
                if (security == null || !security.isEmpty()) {
                  problems.add("public, but no 'security: []'");
                }
              } else if (security == null || security.isEmpty()) {
                problems.add("needs " + role + ", but declares no security");
              } else {
                Set<String> named = new TreeSet<>();
                security.forEach(r -> named.addAll(r.keySet()));
                if (!named.equals(schemes)) {
                  problems.add("security names " + named + ", not every scheme " + schemes);
                }
                for (String status : List.of("401", "403")) {
                  if (!o.getResponses().containsKey(status)) {
                    problems.add("needs " + role + ", but has no " + status);
                  }
                }
              }
              if (!problems.isEmpty()) {
                wrong.put(key.toString(), String.join("; ", problems));
              }
            });
    assertEquals(Map.of(), wrong);
  }

  @Test
  void successMediaTypesAreTheOnesTheResourceMethodsDeclare() {
    Map<String, Endpoints.Endpoint> served = new TreeMap<>();
    Endpoints.of(application).forEach(e -> served.put(e.toString(), e));
    Map<String, String> wrong = new TreeMap<>();
    operations()
        .forEach(
            (key, op) -> {
              Endpoints.Endpoint e = served.get(key.toString());
              if (e == null) {
                return; // theDocumentNamesExactlyTheEndpointsKpmServes reports it
              }
              Set<String> declared = new TreeSet<>();
              e.produces().stream()
                  .map(OpenApiTest::base)
                  .filter(t -> !t.contains("*"))
                  .forEach(declared::add);
              boolean dryRun =
                  parameters(op.pathItem, op.operation).stream()
                      .anyMatch(p -> p.getName().equals("dryRun"));
              Set<String> documented = new TreeSet<>();
              op.operation
                  .getResponses()
                  .forEach(
                      (status, response) -> {
                        Content c = response(response).getContent();
                        if (status.startsWith("2") && c != null) {
                          c.keySet().stream().map(OpenApiTest::base).forEach(documented::add);
                        }
                      });
              if (dryRun && !declared.contains("application/json")) {
                // The plan of ?dryRun=true is JSON whatever the real call answers (§8.9); an
                // endpoint that answers JSON anyway (POST /data/import, §8.19) documents it once.
                assertTrue(documented.remove("application/json"), key + ": the dry run's JSON");
              }
              if (!documented.equals(declared)) {
                wrong.put(key.toString(), "documented " + documented + ", declared " + declared);
              }
            });
    assertEquals(Map.of(), wrong);
  }

  /** The type and subtype of a media type, without parameters, in lower case. */
  private static String base(String mediaType) {
    return mediaType.split(";")[0].strip().toLowerCase(Locale.ROOT);
  }

  /** What {@link AccessRules} requires for every concrete path of the operation, in one word. */
  private String roleOf(Key key, Op op) {
    Set<String> roles = new TreeSet<>();
    for (String p : concretePaths(key.path, op.pathItem, op.operation)) {
      AccessRules.Need need = AccessRules.need(key.method, p);
      roles.add(need == AccessRules.Need.PUBLIC ? "public" : need.role().wire());
    }
    return roles.size() == 1 ? roles.iterator().next() : roles.toString();
  }

  /** The template with enumerated path parameters expanded and the others as {@code x1}. */
  private List<String> concretePaths(String template, PathItem item, Operation operation) {
    List<String> paths = new ArrayList<>(List.of(template));
    for (Parameter p : parameters(item, operation)) {
      if (!"path".equals(p.getIn())) {
        continue;
      }
      Schema<?> schema = p.getSchema();
      List<?> values = schema == null || schema.getEnum() == null ? null : schema.getEnum();
      if (values == null) {
        continue;
      }
      List<String> next = new ArrayList<>();
      for (Object v : values) {
        for (String path : paths) {
          next.add(path.replace("{" + p.getName() + "}", String.valueOf(v)));
        }
      }
      paths = next;
    }
    paths.replaceAll(path -> path.replaceAll("\\{\\w+\\}", "x1"));
    return paths;
  }

  /** The path item's parameters and the operation's, references resolved. */
  private List<Parameter> parameters(PathItem item, Operation operation) {
    List<Parameter> all = new ArrayList<>();
    if (item.getParameters() != null) {
      all.addAll(item.getParameters());
    }
    if (operation.getParameters() != null) {
      all.addAll(operation.getParameters());
    }
    all.replaceAll(
        p ->
            p.get$ref() == null
                ? p
                : document.getComponents().getParameters().get(name(p.get$ref())));
    return all;
  }

  private ApiResponse response(ApiResponse r) {
    return r.get$ref() == null ? r : document.getComponents().getResponses().get(name(r.get$ref()));
  }

  private static String name(String ref) {
    return ref.substring(ref.lastIndexOf('/') + 1);
  }

  private record Key(String method, String path) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  private record Op(PathItem pathItem, Operation operation) {}

  /** Every operation of the document, by method and path. */
  private Map<Key, Op> operations() {
    Map<Key, Op> out = new TreeMap<>(java.util.Comparator.comparing(Key::toString));
    document
        .getPaths()
        .forEach(
            (path, item) ->
                item.readOperationsMap()
                    .forEach(
                        (method, operation) ->
                            out.put(new Key(method.name(), path), new Op(item, operation))));
    return out;
  }
}
