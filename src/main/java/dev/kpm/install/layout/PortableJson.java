package dev.kpm.install.layout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.install.archive.ArchiveException;
import dev.kpm.plugin.PortableSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and validates a portable plugin's {@code <name>.json} with eKuiper's texts (docs/api.md
 * §6.1).
 */
public final class PortableJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PortableJson() {}

  public static PortableSpec parse(String name, byte[] json) throws ArchiveException {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new ArchiveException(e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new ArchiveException(e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new ArchiveException(
          "json: cannot unmarshal into Go value of type portable.PluginInfo");
    }
    String jsonName = text(root, "name");
    if (!jsonName.isEmpty() && !jsonName.equals(name)) {
      throw new ArchiveException(
          "invalid plugin, expect name '" + name + "' but got '" + jsonName + "'");
    }
    PortableSpec spec =
        new PortableSpec(
            text(root, "version"),
            text(root, "language"),
            text(root, "executable"),
            emptyToNull(text(root, "virtualEnvType")),
            emptyToNull(text(root, "env")),
            names(root, "sources"),
            names(root, "sinks"),
            names(root, "functions"));
    validate(spec);
    return spec;
  }

  private static void validate(PortableSpec spec) throws ArchiveException {
    if (spec.language().isEmpty()) {
      throw new ArchiveException("invalid plugin, missing language");
    }
    if (spec.executable().isEmpty()) {
      throw new ArchiveException("invalid plugin, missing executable");
    }
    if (size(spec.sources()) + size(spec.sinks()) + size(spec.functions()) == 0) {
      throw new ArchiveException(
          "invalid plugin, must define at lease one source, sink or function");
    }
    if (!spec.language().equals("go") && !spec.language().equals("python")) {
      throw new ArchiveException(
          "invalid plugin, language '" + spec.language() + "' is not supported");
    }
  }

  private static int size(List<String> names) {
    return names == null ? 0 : names.size();
  }

  private static String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }

  private static String text(JsonNode root, String field) throws ArchiveException {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      return "";
    }
    if (!v.isTextual()) {
      throw new ArchiveException(
          "json: cannot unmarshal "
              + v.getNodeType().name().toLowerCase()
              + " into Go struct field"
              + " PluginInfo."
              + field
              + " of type string");
    }
    return v.textValue();
  }

  private static List<String> names(JsonNode root, String field) throws ArchiveException {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      throw new ArchiveException(
          "json: cannot unmarshal "
              + v.getNodeType().name().toLowerCase()
              + " into Go struct field"
              + " PluginInfo."
              + field
              + " of type []string");
    }
    List<String> names = new ArrayList<>();
    for (JsonNode item : v) {
      if (!item.isTextual()) {
        throw new ArchiveException(
            "json: cannot unmarshal "
                + item.getNodeType().name().toLowerCase()
                + " into Go struct field PluginInfo."
                + field
                + " of type string");
      }
      names.add(item.textValue());
    }
    return List.copyOf(names);
  }
}
