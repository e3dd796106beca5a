import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.nio.file.Files;

/**
 * Build step (pom.xml, maven-antrun-plugin execution openapi-json): kpm's hand-written OpenAPI
 * document, YAML, written as compact JSON for {@code GET /openapi.json}. Run as a source file with
 * the plugin's Jackson YAML on the class path, so the WAR needs no YAML library. A key given twice
 * fails the build instead of one value silently winning.
 *
 * <p>Usage: {@code java -cp <jackson-dataformat-yaml and its dependencies> YamlToJson.java <in.yaml>
 * <out.json>}
 */
public class YamlToJson {
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: YamlToJson <in.yaml> <out.json>");
    }
    YAMLMapper yaml = new YAMLMapper();
    yaml.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    JsonNode document = yaml.readTree(new File(args[0]));
    if (document == null || !document.isObject()) {
      throw new IllegalArgumentException(args[0] + " is not a YAML mapping");
    }
    File out = new File(args[1]);
    Files.createDirectories(out.toPath().getParent());
    Files.write(out.toPath(), new ObjectMapper().writeValueAsBytes(document));
  }
}
