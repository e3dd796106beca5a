package dev.kpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The repository explains itself: its documents exist and are linked from the README, the endpoint
 * list of docs/api.md is the README's endpoint table, and nothing the build, tests, benchmarks or
 * CI use points outside the repository.
 */
class DocsTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final List<String> DOCS =
      List.of("api.md", "portable-protocol.md", "architecture.md", "beside-ekuiper.md");

  @Test
  void everyDocumentExistsAndTheReadmeLinksIt() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    for (String doc : DOCS) {
      assertTrue(Files.isRegularFile(ROOT.resolve("docs").resolve(doc)), doc);
      assertTrue(readme.contains("](docs/" + doc + ")"), "README links docs/" + doc);
    }
  }

  @Test
  void theApiDocumentListsExactlyTheEndpointsOfTheReadmeTable() throws IOException {
    List<String> readme = firstColumn(ROOT.resolve("README.md"), "## Endpoints");
    List<String> api = firstColumn(ROOT.resolve("docs/api.md"), "## 2. Endpoint list");
    assertTrue(readme.size() > 20, "the README's table was found: " + readme);
    assertEquals(readme, api);
  }

  @Test
  void everySettingHasARowInTheReadmeConfigurationTable() throws IOException {
    List<String> rows =
        Files.readAllLines(ROOT.resolve("README.md")).stream()
            .filter(line -> line.startsWith("| `kpm."))
            .toList();
    for (Settings.Key key : Settings.Key.values()) {
      String start = "| `" + key.property + "` | `" + key.env + "` |";
      assertTrue(
          rows.stream().anyMatch(row -> row.startsWith(start)),
          () -> "README's Configuration table has no row " + start);
    }
  }

  /** The first cells of the first table after {@code heading}, header and rule excluded. */
  private static List<String> firstColumn(Path file, String heading) throws IOException {
    List<String> lines = Files.readAllLines(file);
    int at = lines.indexOf(heading);
    assertTrue(at >= 0, heading + " in " + file);
    List<String> cells = new ArrayList<>();
    boolean inTable = false;
    for (String line : lines.subList(at + 1, lines.size())) {
      if (line.startsWith("|")) {
        inTable = true;
        cells.add(line.substring(1, line.indexOf('|', 1)).strip());
      } else if (inTable) {
        break;
      }
    }
    return cells.subList(2, cells.size());
  }

  @Test
  void nothingTheProductUsesPointsOutsideTheRepository() throws IOException {
    // Written with character classes, so this file does not match itself (nor the grep).
    Pattern outside = Pattern.compile("share[d]/|SPEC[.]md|PORTABLE[.]md|SPEC A[0-9]|SPEC [§]");
    List<Path> roots =
        List.of("src", "bench", ".ci", "pom.xml", "README.md", "docs").stream()
            .map(ROOT::resolve)
            .toList();
    List<String> found = new ArrayList<>();
    for (Path root : roots) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          List<String> lines;
          try {
            lines = Files.readAllLines(f);
          } catch (java.nio.charset.MalformedInputException binary) {
            continue;
          }
          for (int i = 0; i < lines.size(); i++) {
            if (outside.matcher(lines.get(i)).find()) {
              found.add(ROOT.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).strip());
            }
          }
        }
      }
    }
    assertTrue(
        found.isEmpty(), () -> "references outside the repository:\n" + String.join("\n", found));
  }
}
