package dev.kpm.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * kpm's OpenAPI 3.1 document (docs/api.md §8.14): {@code GET /openapi.yaml} serves the one
 * hand-written source, {@code src/main/filtered/dev/kpm/api/openapi.yaml}, and {@code GET
 * /openapi.json} the JSON the build converted it to (pom.xml, execution {@code openapi-json}), so
 * kpm needs no YAML library and no swagger-core at run time. Not {@code /openapi}: Payara serves
 * its own MicroProfile document there. Both are public (security.AccessRules) and read once, when
 * kpm starts (a build without them fails the start, not a request): the bytes and their strong ETag
 * are kept, and {@code If-None-Match} answers 304.
 */
@Path("/")
public final class OpenApiResource {
  static final String YAML = "application/yaml";
  private static final CacheControl REVALIDATE = CacheControl.valueOf("no-cache");
  private final Document jsonDocument = Document.load("openapi.json");
  private final Document yamlDocument = Document.load("openapi.yaml");

  @GET
  @Path("openapi.json")
  @Produces(MediaType.APPLICATION_JSON)
  public Response json(@Context Request request) {
    return jsonDocument.answer(request);
  }

  @GET
  @Path("openapi.yaml")
  @Produces(YAML)
  public Response yaml(@Context Request request) {
    return yamlDocument.answer(request);
  }

  /** One form of the document: its bytes and their entity tag. */
  private record Document(byte[] bytes, EntityTag tag) {
    static Document load(String name) {
      try (InputStream in = OpenApiResource.class.getResourceAsStream(name)) {
        if (in == null) {
          throw new IllegalStateException(
              "dev/kpm/api/" + name + " is not on the class path: build kpm with Maven");
        }
        byte[] bytes = in.readAllBytes();
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
        return new Document(bytes, new EntityTag(HexFormat.of().formatHex(digest, 0, 16)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    Response answer(Request request) {
      Response.ResponseBuilder notModified = request.evaluatePreconditions(tag);
      Response.ResponseBuilder answer = notModified != null ? notModified : Response.ok(bytes);
      return answer.tag(tag).cacheControl(REVALIDATE).build();
    }
  }
}
