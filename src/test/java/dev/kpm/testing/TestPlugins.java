package dev.kpm.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * Fixture plugins named by behaviour: the trees under {@code
 * src/test/resources/plugins/<behaviour>/} zipped at test time (executable files keep mode 0755,
 * others 0644), and hand-built zips for the archives a tree cannot express (hostile entries).
 */
public final class TestPlugins {
  private TestPlugins() {}

  /** Zips the fixture tree {@code behaviour} into {@code dir/<behaviour>.zip}. */
  public static Path zip(String behaviour, Path dir) {
    Path tree = tree(behaviour);
    Path zip = dir.resolve(behaviour + ".zip");
    try (Stream<Path> walk = Files.walk(tree);
        ZipArchiveOutputStream out = new ZipArchiveOutputStream(Files.newOutputStream(zip))) {
      for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
        String name = tree.relativize(p).toString().replace('\\', '/');
        add(out, name, Files.readAllBytes(p), Files.isExecutable(p) ? 0755 : 0644);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return zip;
  }

  /** One entry of a hand-built zip. */
  public record Entry(String name, byte[] content, int unixMode) {
    public static Entry file(String name, String content) {
      return new Entry(name, content.getBytes(), 0100644);
    }
  }

  /** A zip with exactly these entries, in this order. */
  public static Path zip(Path file, List<Entry> entries) {
    try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(Files.newOutputStream(file))) {
      for (Entry e : entries) {
        add(out, e.name(), e.content(), e.unixMode());
      }
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return file;
  }

  private static void add(ZipArchiveOutputStream out, String name, byte[] content, int mode)
      throws IOException {
    ZipArchiveEntry entry = new ZipArchiveEntry(name);
    entry.setUnixMode(mode < 01000 ? 0100000 | mode : mode);
    out.putArchiveEntry(entry);
    out.write(content);
    out.closeArchiveEntry();
  }

  private static Path tree(String behaviour) {
    URL url = TestPlugins.class.getResource("/plugins/" + behaviour);
    if (url == null) {
      throw new IllegalArgumentException("no fixture src/test/resources/plugins/" + behaviour);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes bytes to a file, creating parents. */
  public static Path write(Path file, byte[] content) {
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }
}
