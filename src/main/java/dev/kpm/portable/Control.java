package dev.kpm.portable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kpm.plugin.PluginException;
import java.nio.charset.StandardCharsets;

/**
 * eKuiper's Control object (docs/portable-protocol.md §3.2): which symbol, for which rule operator
 * instance, with which data source and config. Serialised byte for byte as Go does (field order, no
 * spaces).
 *
 * @param pluginType {@code source}, {@code sink} or {@code func}
 * @param config the source's or sink's properties, or null
 */
public record Control(
    String symbolName,
    String ruleId,
    String opId,
    int instanceId,
    String pluginType,
    String dataSource,
    JsonNode config) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Reads a Control JSON body, as a rule engine would send it. */
  public static Control parse(String body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw PluginException.invalid("invalid control json: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw PluginException.invalid("invalid control json: expected an object");
    }
    JsonNode meta = root.path("meta");
    Control c =
        new Control(
            root.path("symbolName").asText(""),
            meta.path("ruleId").asText(""),
            meta.path("opId").asText(""),
            meta.path("instanceId").asInt(0),
            root.path("pluginType").asText(""),
            root.path("dataSource").asText(""),
            root.hasNonNull("config") ? root.get("config") : null);
    c.validate();
    return c;
  }

  private void validate() {
    if (symbolName.isEmpty()) {
      throw PluginException.invalid("invalid control json: symbolName is required");
    }
    switch (pluginType) {
      case "func" -> {}
      case "source", "sink" -> {
        if (ruleId.isEmpty() || opId.isEmpty()) {
          throw PluginException.invalid(
              "invalid control json: meta.ruleId and meta.opId are required");
        }
      }
      default ->
          throw PluginException.invalid(
              "invalid control json: pluginType must be source, sink or func, got '"
                  + pluginType
                  + "'");
    }
  }

  /** The host's function start: an all-empty meta (docs/portable-protocol.md §3.2). */
  public static Control function(String symbol) {
    return new Control(symbol, "", "", 0, "func", "", null);
  }

  boolean isFunction() {
    return pluginType.equals("func");
  }

  /** Data-channel key {@code <ruleId>_<opId>_<instanceId>}; functions key by symbol. */
  String key() {
    return isFunction() ? "func_" + symbolName : ruleId + "_" + opId + "_" + instanceId;
  }

  /** The command envelope {@code {"cmd":…,"arg":"<Control JSON>"}} as Go marshals it. */
  byte[] command(String cmd) {
    ObjectNode control = JSON.createObjectNode();
    control.put("symbolName", symbolName);
    ObjectNode meta = control.putObject("meta");
    meta.put("ruleId", ruleId);
    meta.put("opId", opId);
    meta.put("instanceId", instanceId);
    control.put("pluginType", pluginType);
    if (!dataSource.isEmpty()) {
      control.put("dataSource", dataSource);
    }
    if (config != null && !config.isEmpty()) {
      control.set("config", config);
    }
    ObjectNode envelope = JSON.createObjectNode();
    envelope.put("cmd", cmd);
    envelope.put("arg", control.toString());
    return envelope.toString().getBytes(StandardCharsets.UTF_8);
  }
}
