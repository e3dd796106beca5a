package dev.kpm.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * Fixture plugins named by behaviour: the trees under {@code
 * src/test/resources/plugins/<behaviour>/} zipped at test time (executable files keep mode 0755,
 * others 0644), and hand-built zips for the archives a tree cannot express (hostile entries, modes,
 * stored or incompressible data). {@link ZipBytes} then patches a zip's bytes where no writer would
 * produce them.
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
        add(out, new Entry(name, Files.readAllBytes(p), Files.isExecutable(p) ? 0100755 : 0100644));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return zip;
  }

  /**
   * One entry of a hand-built zip.
   *
   * @param unixMode written as is into the external attributes, file type bits included (0100644 a
   *     regular file, 0120777 a symbolic link, a bare 0755 no type at all); {@link #NO_MODE} writes
   *     none, as a zip made on DOS or Windows
   * @param method {@link ZipEntry#DEFLATED} or {@link ZipEntry#STORED}
   */
  public record Entry(String name, byte[] content, int unixMode, int method) {
    public static final int NO_MODE = 0;

    /** A deflated entry. */
    public Entry(String name, byte[] content, int unixMode) {
      this(name, content, unixMode, ZipEntry.DEFLATED);
    }

    /** A regular file, mode 0644. */
    public static Entry file(String name, String content) {
      return new Entry(name, content.getBytes(UTF_8), 0100644);
    }

    public static Entry file(String name, int unixMode, String content) {
      return new Entry(name, content.getBytes(UTF_8), unixMode);
    }

    public static Entry folder(String name, int unixMode) {
      return new Entry(name, new byte[0], unixMode);
    }

    /** Stored uncompressed, without a mode: its bytes appear as they are in the zip. */
    public static Entry stored(String name, String content) {
      return new Entry(name, content.getBytes(UTF_8), NO_MODE, ZipEntry.STORED);
    }

    /** {@code size} zero bytes (they compress about 1000:1), without a mode. */
    public static Entry zeros(String name, int size) {
      return new Entry(name, new byte[size], NO_MODE);
    }

    /** {@code size} random bytes, the same for the same size (they do not compress). */
    public static Entry random(String name, int size) {
      byte[] data = new byte[size];
      new Random(size).nextBytes(data);
      return new Entry(name, data, NO_MODE);
    }
  }

  /**
   * A zip with exactly these entries, in this order, written as a stream: each deflated entry's CRC
   * and sizes follow its data in a data descriptor, as streaming writers (Go's archive/zip among
   * them) make zips.
   */
  public static Path zip(Path file, List<Entry> entries) {
    try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(Files.newOutputStream(file))) {
      for (Entry e : entries) {
        add(out, e);
      }
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return file;
  }

  /**
   * A zip with exactly these entries, in this order, with each entry's CRC and sizes in its local
   * header as well as in the central directory (no data descriptors), and stored entries allowed:
   * the layout {@link ZipBytes} patches, so a test can make both headers lie alike.
   */
  public static Path zipWithSizesInLocalHeaders(Path file, Entry... entries) {
    try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(file)) {
      for (Entry e : entries) {
        add(out, e);
      }
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return file;
  }

  private static void add(ZipArchiveOutputStream out, Entry e) throws IOException {
    ZipArchiveEntry entry = new ZipArchiveEntry(e.name());
    if (e.unixMode() != Entry.NO_MODE) {
      entry.setUnixMode(e.unixMode());
    }
    entry.setMethod(e.method());
    if (e.method() == ZipEntry.STORED) {
      // A stream cannot go back to fill these in, so a stored entry declares them up front.
      CRC32 crc = new CRC32();
      crc.update(e.content());
      entry.setCrc(crc.getValue());
      entry.setSize(e.content().length);
      entry.setCompressedSize(e.content().length);
    }
    out.putArchiveEntry(entry);
    out.write(e.content());
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
