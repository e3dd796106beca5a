package dev.kpm.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.audit.AuditAction;
import dev.kpm.upload.Upload;
import dev.kpm.upload.UploadForms;
import dev.kpm.upload.UploadService;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * eKuiper's configuration uploads (docs/api.md §11): {@code POST /config/uploads} saves a file from
 * a multipart form (field {@code uploadFile}) or from JSON ({@code {"name","content"}}, {@code
 * {"name","file"}}) and answers its absolute path; {@code GET} lists the stored files' paths;
 * {@code DELETE /config/uploads/{name}} removes one. The body arrives unread: the security filter
 * lets a form through uncapped and unbuffered (the store counts it against {@code
 * kpm.uploads.maxBytes}), a JSON body as every other.
 */
@Path("/config/uploads")
@Singleton
public final class UploadsResource {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final UploadService uploads;

  @Inject
  public UploadsResource(UploadService uploads) {
    this.uploads = uploads;
  }

  @POST
  @Produces(NativePluginsResource.TEXT)
  public Response upload(
      @HeaderParam("Content-Type") String contentType,
      InputStream body,
      @Context ContainerRequestContext request) {
    Upload saved =
        UploadForms.isJson(contentType)
            ? uploads.saveJson(body)
            : uploads.saveForm(contentType, body);
    Acts.of(request, AuditAction.UPLOAD_CREATE)
        .plugin("uploads", saved.name())
        .artifact(saved.sha256())
        .detail(saved.bytes() + " bytes stored at " + saved.path());
    return Response.status(201).entity(htmlEscape(saved.path().toString())).build();
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public byte[] list() {
    try {
      String json = JSON.writeValueAsString(uploads.list().stream().map(Object::toString).toList());
      return goJson(json).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render the upload list", e);
    }
  }

  @DELETE
  @Path("{name}")
  @Produces(NativePluginsResource.TEXT)
  public String delete(@PathParam("name") String name, @Context ContainerRequestContext request) {
    Acts.of(request, AuditAction.UPLOAD_DELETE).plugin("uploads", name);
    uploads.delete(name);
    return "ok";
  }

  /** Go's {@code template.HTMLEscapeString}, which eKuiper applies to the path it answers. */
  static String htmlEscape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\0' -> out.append('\uFFFD');
        case '"' -> out.append("&#34;");
        case '\'' -> out.append("&#39;");
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * Go's {@code json.Marshal} escapes {@code <}, {@code >}, {@code &}, U+2028 and U+2029 inside
   * strings; those characters occur nowhere else in a list of strings.
   */
  static String goJson(String json) {
    return json.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029");
  }
}
