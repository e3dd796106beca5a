package dev.kpm.install.layout;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.plugin.PluginException;
import dev.kpm.plugin.PluginType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decodes request bodies the way eKuiper's Go decoder does: only the first JSON value counts,
 * unknown fields are ignored, null leaves a field empty, and type errors read like Go's.
 */
public final class Requests {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Requests() {}

  /**
   * A create/update body; errors are {@code Invalid body: Error decoding the <T> plugin json: …}.
   */
  public static InstallRequest install(PluginType type, String body) {
    String struct = type == PluginType.FUNCTIONS ? "FuncPlugin" : "IOPlugin";
    String prefix =
        "Invalid body: Error decoding the "
            + (type == PluginType.PORTABLES ? "portable" : type.word())
            + " plugin json: ";
    JsonNode root = object(body, "plugin." + struct, prefix);
    Optional<List<String>> functions =
        type == PluginType.FUNCTIONS
            ? Optional.of(strings(root, "functions", struct, prefix)).filter(l -> !l.isEmpty())
            : Optional.empty();
    String sha = string(root, "sha256", struct, prefix);
    return new InstallRequest(
        string(root, "name", struct, prefix),
        string(root, "file", struct, prefix),
        strings(root, "shellParas", struct, prefix),
        functions,
        sha.isEmpty() ? Optional.empty() : Optional.of(sha));
  }

  /** A register body {@code {"functions":[…]}}; the list may be empty (the caller refuses it). */
  public static List<String> functionList(String body) {
    String prefix = "Invalid body: Error decoding the function list json: ";
    return strings(object(body, "struct { Functions []string }", prefix), "functions", "", prefix);
  }

  private static JsonNode object(String body, String goType, String prefix) {
    JsonNode root;
    try (JsonParser parser = JSON.createParser(body)) {
      root = parser.readValueAsTree();
    } catch (JsonEOFException e) {
      throw PluginException.invalid(prefix + "unexpected EOF");
    } catch (JsonParseException e) {
      throw PluginException.invalid(prefix + "invalid character: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw PluginException.invalid(prefix + e.getMessage());
    }
    if (root == null) {
      throw PluginException.invalid(prefix + "EOF");
    }
    if (!root.isObject()) {
      throw PluginException.invalid(
          prefix + "json: cannot unmarshal " + kind(root) + " into Go value of type " + goType);
    }
    return root;
  }

  private static String string(JsonNode root, String field, String struct, String prefix) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      return "";
    }
    if (!v.isTextual()) {
      throw mismatch(v, struct, field, "string", prefix);
    }
    return v.textValue();
  }

  private static List<String> strings(JsonNode root, String field, String struct, String prefix) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isArray()) {
      throw mismatch(v, struct, field, "[]string", prefix);
    }
    List<String> values = new ArrayList<>();
    for (JsonNode item : v) {
      if (!item.isTextual()) {
        throw mismatch(item, struct, field, "string", prefix);
      }
      values.add(item.textValue());
    }
    return List.copyOf(values);
  }

  private static PluginException mismatch(
      JsonNode v, String struct, String field, String goType, String prefix) {
    String where = struct.isEmpty() ? field : struct + "." + field;
    return PluginException.invalid(
        prefix
            + "json: cannot unmarshal "
            + kind(v)
            + " into Go struct field "
            + where
            + " of type "
            + goType);
  }

  private static String kind(JsonNode v) {
    if (v.isTextual()) {
      return "string";
    }
    if (v.isNumber()) {
      return "number";
    }
    if (v.isBoolean()) {
      return "bool";
    }
    return v.isArray() ? "array" : "object";
  }
}
