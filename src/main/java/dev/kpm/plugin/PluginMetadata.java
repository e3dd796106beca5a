package dev.kpm.plugin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The metadata json eKuiper plugins ship ({@code about}, {@code properties}, a function plugin's
 * {@code functions}) as installed, and eKuiper's {@code /metadata} shapes built from it
 * (docs/api.md §8.11). Files are read bounded ({@link #MAX_BYTES}); every method is a pure function
 * of its arguments and the files. Thread-safe.
 */
public final class PluginMetadata {
  /** The largest metadata file kpm reads; a larger one is refused (§8.11) or left out (§8.11). */
  public static final int MAX_BYTES = 1024 * 1024;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper GO_JSON = goJson();

  private PluginMetadata() {}

  /** One catalogue entry: a native plugin or a portable symbol with its installed json. */
  public record Entry(String name, String extensionType, Path file) {}

  /** Why a metadata file cannot be served. */
  public static final class Unusable extends Exception {
    Unusable(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The file's bytes, checked to be one JSON object of at most {@link #MAX_BYTES}; empty when there
   * is no such regular file.
   */
  public static Optional<byte[]> read(Path file, String shownAs) throws Unusable {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (IOException e) {
      throw new Unusable(shownAs + " cannot be read: " + e.getMessage());
    }
    if (bytes.length > MAX_BYTES) {
      throw new Unusable(shownAs + " is larger than " + MAX_BYTES + " bytes");
    }
    JsonNode node;
    try {
      node = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new Unusable(shownAs + " is not valid JSON: " + firstLine(e.getMessage()));
    }
    if (node == null || !node.isObject()) {
      throw new Unusable(shownAs + " is not a JSON object");
    }
    return Optional.of(bytes);
  }

  private static Optional<JsonNode> tree(Path file) {
    try {
      Optional<byte[]> bytes = read(file, file.toString());
      return bytes.isEmpty() ? Optional.empty() : Optional.of(JSON.readTree(bytes.get()));
    } catch (Unusable | IOException e) {
      return Optional.empty();
    }
  }

  /**
   * {@code about.description} of a metadata file: its {@code en_US} text, else its {@code zh_CN}
   * text; empty when the file is missing, over {@link #MAX_BYTES}, not one JSON object, or has
   * neither text (docs/api.md §8.18).
   */
  public static Optional<String> description(Path file) {
    return tree(file)
        .map(t -> t.path("about").path("description"))
        .flatMap(
            d ->
                java.util.stream.Stream.of("en_US", "zh_CN")
                    .map(d::path)
                    .filter(n -> n.isTextual() && !n.asText().isEmpty())
                    .map(JsonNode::asText)
                    .findFirst());
  }

  /**
   * eKuiper's {@code GET /metadata/sources} and {@code /metadata/sinks}: {@code
   * [{"name","about","type"},…]} sorted by name, for every entry whose json has an {@code about}.
   */
  public static byte[] list(List<Entry> entries) {
    ArrayNode out = NODES.arrayNode();
    entries.stream()
        .sorted(Comparator.comparing(Entry::name))
        .forEach(
            e ->
                tree(e.file())
                    .filter(t -> t.get("about") != null && t.get("about").isObject())
                    .ifPresent(
                        t -> {
                          ObjectNode info = out.addObject();
                          info.put("name", e.name());
                          info.set("about", about(t.get("about")));
                          info.put("type", e.extensionType());
                        }));
    return write(out);
  }

  /**
   * eKuiper's {@code GET /metadata/sources/{name}} ({@code source}: properties keyed by conf key)
   * or {@code /metadata/sinks/{name}}; empty when the entry's json is missing, unusable or has no
   * {@code about} (eKuiper does not load such a file).
   */
  public static Optional<byte[]> item(Entry entry, boolean source) {
    return tree(entry.file())
        .filter(t -> t.get("about") != null && t.get("about").isObject())
        .map(
            t -> {
              ObjectNode ui = NODES.objectNode();
              ui.set("about", about(t.get("about")));
              ui.set("libs", strings(t.get("libs")));
              JsonNode props = t.get("properties");
              if (source) {
                JsonNode ds = t.get("dataSource");
                if (ds != null && !ds.isNull()) {
                  ui.set("dataSource", goValue(ds));
                }
                ObjectNode keys = NODES.objectNode();
                if (props != null && props.isObject()) {
                  new TreeMap<>(toMap(props)).forEach((k, v) -> keys.set(k, fields(v)));
                }
                ui.set("properties", keys);
              } else {
                ui.set("properties", fields(props));
              }
              ui.set("node", goValue(t.get("node")));
              ui.put("type", entry.extensionType());
              return write(ui);
            });
  }

  /**
   * eKuiper's {@code GET /metadata/functions}: the function json files as installed, each as its
   * bytes, in one JSON array ({@code []} when none); a file that is missing or unusable is left
   * out.
   */
  public static byte[] functions(List<Entry> entries) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write('[');
    boolean first = true;
    for (Entry e : entries.stream().sorted(Comparator.comparing(Entry::name)).toList()) {
      Optional<byte[]> bytes;
      try {
        bytes = read(e.file(), e.file().toString());
      } catch (Unusable u) {
        continue;
      }
      if (bytes.isPresent()) {
        if (!first) {
          out.write(',');
        }
        out.writeBytes(bytes.get());
        first = false;
      }
    }
    out.write(']');
    return out.toByteArray();
  }

  /**
   * eKuiper's not-found text of a source or sink item for the {@code Content-Language} header (its
   * {@code etc/multilingual} files): {@code en_US} (the default) and {@code zh_CN}; any other
   * language has no text and the message is the name alone, as in eKuiper.
   */
  public static String notFound(String contentLanguage, String name) {
    String language =
        contentLanguage == null || contentLanguage.isEmpty()
            ? "en_US"
            : contentLanguage.replace('-', '_');
    return switch (language) {
      case "en_US" -> "This plugin was not found:" + name;
      case "zh_CN" -> "没有找到这个插件：" + name;
      default -> name;
    };
  }

  private static ObjectNode about(JsonNode a) {
    ObjectNode ui = NODES.objectNode();
    ui.put("trial", bool(a.get("trial")));
    ui.put("installed", true);
    JsonNode author = a.get("author");
    if (author == null || !author.isObject()) {
      ui.putNull("author");
    } else {
      ObjectNode o = ui.putObject("author");
      for (String k : List.of("name", "email", "company", "website")) {
        o.put(k, text(author.get(k)));
      }
    }
    ui.set("helpUrl", language(a.get("helpUrl")));
    ui.set("description", language(a.get("description")));
    return ui;
  }

  private static JsonNode language(JsonNode l) {
    if (l == null || !l.isObject()) {
      return NODES.nullNode();
    }
    ObjectNode o = NODES.objectNode();
    o.put("en", text(l.get("en_US")));
    o.put("zh", text(l.get("zh_CN")));
    return o;
  }

  /** eKuiper's {@code newField}: null entries skipped, an array default converted in turn. */
  private static JsonNode fields(JsonNode list) {
    if (list == null || !list.isArray()) {
      return NODES.nullNode();
    }
    ArrayNode out = NODES.arrayNode();
    for (JsonNode f : list) {
      if (f == null || !f.isObject()) {
        continue;
      }
      ObjectNode ui = out.addObject();
      ui.put("exist", false);
      ui.put("name", text(f.get("name")));
      JsonNode def = f.get("default");
      ui.set("default", def != null && def.isArray() ? fields(def) : goValue(def));
      ui.put("type", text(f.get("type")));
      ui.put("control", text(f.get("control")));
      ui.put("connection_related", bool(f.get("connection_related")));
      ui.put("optional", bool(f.get("optional")));
      ui.set("values", goValue(f.get("values")));
      ui.set("hint", language(f.get("hint")));
      ui.set("label", language(f.get("label")));
    }
    return out.isEmpty() ? NODES.nullNode() : out;
  }

  private static JsonNode strings(JsonNode list) {
    if (list == null || !list.isArray() || list.isEmpty()) {
      return NODES.nullNode();
    }
    ArrayNode out = NODES.arrayNode();
    list.forEach(s -> out.add(text(s)));
    return out;
  }

  /** A value as Go re-encodes an {@code interface{}}: object keys sorted, numbers as float64. */
  private static JsonNode goValue(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return NODES.nullNode();
    }
    if (v.isObject()) {
      ObjectNode o = NODES.objectNode();
      new TreeMap<>(toMap(v)).forEach((k, x) -> o.set(k, goValue(x)));
      return o;
    }
    if (v.isArray()) {
      ArrayNode a = NODES.arrayNode();
      v.forEach(x -> a.add(goValue(x)));
      return a;
    }
    if (v.isNumber()) {
      double d = v.doubleValue();
      if (Double.isFinite(d) && Math.abs(d) < 1e21) {
        BigDecimal b = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        return NODES.rawValueNode(
            new com.fasterxml.jackson.databind.util.RawValue(
                b.scale() <= 0 ? b.toBigInteger().toString() : b.toPlainString()));
      }
      return NODES.numberNode(d);
    }
    return v;
  }

  private static Map<String, JsonNode> toMap(JsonNode o) {
    Map<String, JsonNode> m = new TreeMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = o.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      m.put(e.getKey(), e.getValue());
    }
    return m;
  }

  private static String text(JsonNode n) {
    return n != null && n.isTextual() ? n.asText() : "";
  }

  private static boolean bool(JsonNode n) {
    return n != null && n.isBoolean() && n.asBoolean();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static byte[] write(JsonNode node) {
    try {
      return GO_JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write metadata json", e);
    }
  }

  /** Go's {@code encoding/json} escapes {@code <}, {@code >}, {@code &}, U+2028 and U+2029. */
  private static ObjectMapper goJson() {
    ObjectMapper mapper = new ObjectMapper();
    mapper.getFactory().setCharacterEscapes(new GoEscapes());
    return mapper;
  }

  private static final class GoEscapes extends CharacterEscapes {
    private final int[] ascii = standardAsciiEscapesForJSON();

    GoEscapes() {
      ascii['<'] = ESCAPE_CUSTOM;
      ascii['>'] = ESCAPE_CUSTOM;
      ascii['&'] = ESCAPE_CUSTOM;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      return switch (ch) {
        case '<', '>', '&', 0x2028, 0x2029 -> new SerializedString(String.format("\\u%04x", ch));
        default -> null;
      };
    }
  }
}
