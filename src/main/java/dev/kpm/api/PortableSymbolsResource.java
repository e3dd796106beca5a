package dev.kpm.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.kpm.api.dto.PortableStatusInfo;
import dev.kpm.portable.PortableOperations;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * kpm's symbol API (docs/api.md §8): start and stop a portable source, sink or function for a rule
 * operator instance with eKuiper's Control JSON, call a function, read a source, feed a sink — over
 * the same channels and messages a rule engine uses (docs/portable-protocol.md §2–§3).
 */
@Path("/plugins/portables/{name}/symbols")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class PortableSymbolsResource {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final PortableOperations portables;

  @Inject
  public PortableSymbolsResource(PortableOperations portables) {
    this.portables = portables;
  }

  @POST
  @Path("start")
  public PortableStatusInfo start(@PathParam("name") String name, String control) {
    portables.startSymbol(name, control);
    return PortableStatusInfo.from(portables.status(name));
  }

  @POST
  @Path("stop")
  public PortableStatusInfo stop(@PathParam("name") String name, String control) {
    portables.stopSymbol(name, control);
    return PortableStatusInfo.from(portables.status(name));
  }

  @POST
  @Path("functions/{symbol}")
  public String call(
      @PathParam("name") String name, @PathParam("symbol") String symbol, String request) {
    return portables.call(name, symbol, request);
  }

  @GET
  @Path("sources/{key}")
  public List<JsonNode> read(
      @PathParam("name") String name,
      @PathParam("key") String key,
      @QueryParam("count") @DefaultValue("1") int count) {
    return portables.read(name, key, count).stream().map(PortableSymbolsResource::tuple).toList();
  }

  @POST
  @Path("sinks/{key}")
  public SinkAnswer write(
      @PathParam("name") String name,
      @PathParam("key") String key,
      @QueryParam("ack") @DefaultValue("false") boolean ack,
      String data) {
    return new SinkAnswer(
        portables.write(name, key, data, ack).map(PortableSymbolsResource::tuple).orElse(null));
  }

  /** A sink write's answer: {@code {}}, or {@code {"ack":…}} when an ack was awaited. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SinkAnswer(JsonNode ack) {}

  /** A message from the plugin, as JSON when it is JSON, else as a JSON string. */
  private static JsonNode tuple(String raw) {
    try {
      return JSON.readTree(raw);
    } catch (JsonProcessingException notJson) {
      return TextNode.valueOf(raw);
    }
  }
}
