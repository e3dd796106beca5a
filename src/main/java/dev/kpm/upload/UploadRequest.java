package dev.kpm.upload;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * eKuiper's JSON upload body, {@code fileContent}: {@code name}, and {@code content} (the text of
 * the file) or {@code file} (a URL to fetch it from). Decoded as Go's decoder does: only the first
 * JSON value counts, keys match the fields in any case ({@code "Name"} is {@code name}), unknown
 * keys are ignored, {@code null} leaves a field empty, and the first type error is reported.
 *
 * @param file the URL; when both are given it wins over {@code content}, as in eKuiper
 */
record UploadRequest(String name, String content, String file) {
  static final String DECODE = "Invalid body: Error decoding file json: ";
  static final String MISSING = "Invalid body: missing necessary field: ";
  private static final ObjectMapper JSON = new ObjectMapper();

  static UploadRequest parse(String body) {
    JsonNode root;
    try (JsonParser parser = JSON.createParser(body)) {
      root = parser.readValueAsTree();
    } catch (JsonEOFException e) {
      throw UploadException.invalid(DECODE + "unexpected EOF");
    } catch (JsonParseException e) {
      throw UploadException.invalid(DECODE + "invalid character: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw UploadException.invalid(DECODE + e.getMessage());
    }
    if (root == null) {
      throw UploadException.invalid(DECODE + "EOF");
    }
    if (!root.isObject()) {
      throw UploadException.invalid(
          DECODE
              + "json: cannot unmarshal "
              + kind(root)
              + " into Go value of type server.fileContent");
    }
    String name = "";
    String content = "";
    String file = "";
    String typeError = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String key = field.getKey().toLowerCase(Locale.ROOT);
      if (!key.equals("name") && !key.equals("content") && !key.equals("file")) {
        continue;
      }
      JsonNode v = field.getValue();
      if (v.isNull()) {
        continue;
      }
      if (!v.isTextual()) {
        if (typeError == null) {
          typeError =
              "json: cannot unmarshal "
                  + kind(v)
                  + " into Go struct field fileContent."
                  + key
                  + " of type string";
        }
        continue;
      }
      switch (key) {
        case "name" -> name = v.textValue();
        case "content" -> content = v.textValue();
        default -> file = v.textValue();
      }
    }
    if (typeError != null) {
      throw UploadException.invalid(DECODE + typeError);
    }
    // eKuiper's fileContent.Validate, in its order.
    if (content.isEmpty() && file.isEmpty()) {
      throw UploadException.invalid(MISSING + "invalid body: content or FilePath is required");
    }
    if (name.isEmpty()) {
      throw UploadException.invalid(MISSING + "invalid body: name is required");
    }
    return new UploadRequest(name, content, file);
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
