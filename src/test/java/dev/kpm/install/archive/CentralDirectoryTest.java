package dev.kpm.install.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Counting a zip's central directory records before any parser builds them. */
class CentralDirectoryTest {
  @TempDir Path dir;

  private Path zip(String name, int entries, Zip64Mode mode, String comment) throws IOException {
    Path zip = dir.resolve(name);
    try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(zip)) {
      out.setUseZip64(mode);
      out.setComment(comment);
      for (int i = 0; i < entries; i++) {
        ZipArchiveEntry e = new ZipArchiveEntry("dir/file-" + i + ".yaml");
        e.setComment(i % 2 == 0 ? "an entry comment" : "");
        out.putArchiveEntry(e);
        out.write(("n: " + i + "\n").getBytes(StandardCharsets.UTF_8));
        out.closeArchiveEntry();
      }
    }
    return zip;
  }

  @Test
  void countsEveryRecordOfAPlainZip() throws Exception {
    assertEquals(
        OptionalLong.of(25), CentralDirectory.count(zip("a.zip", 25, Zip64Mode.Never, ""), 100));
  }

  @Test
  void stopsOnePastTheLimit() throws Exception {
    assertEquals(
        OptionalLong.of(11), CentralDirectory.count(zip("b.zip", 500, Zip64Mode.Never, ""), 10));
  }

  @Test
  void findsTheDirectoryOfAZip64ArchiveAndBehindAnArchiveComment() throws Exception {
    assertEquals(
        OptionalLong.of(7),
        CentralDirectory.count(zip("c.zip", 7, Zip64Mode.Always, "a comment\u0050\u004b"), 100));
  }

  @Test
  void findsTheDirectoryOfAnArchiveWithBytesPrepended() throws Exception {
    Path plain = zip("d.zip", 9, Zip64Mode.Never, "");
    Path prefixed = dir.resolve("sfx.zip");
    try (OutputStream out = Files.newOutputStream(prefixed)) {
      out.write(new byte[4096]);
      out.write(Files.readAllBytes(plain));
    }
    assertEquals(OptionalLong.of(9), CentralDirectory.count(prefixed, 100));
  }

  @Test
  void somethingThatIsNoZipHasNoCount() throws Exception {
    Path html = Files.writeString(dir.resolve("page.zip"), "<html>not found</html>");
    assertEquals(OptionalLong.empty(), CentralDirectory.count(html, 100));
    Path empty = Files.write(dir.resolve("empty.zip"), new byte[0]);
    assertEquals(OptionalLong.empty(), CentralDirectory.count(empty, 100));
  }
}
