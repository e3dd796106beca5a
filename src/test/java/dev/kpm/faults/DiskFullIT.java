package dev.kpm.faults;

import static dev.kpm.testing.HomeAssertions.assertNoTrace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.testing.EmbeddedTomcat;
import dev.kpm.testing.Processes;
import dev.kpm.testing.TestKpm;
import dev.kpm.testing.TestPlugins;
import dev.kpm.testing.TestPlugins.Entry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * kpm's home on a small file system that fills up (a 6 MiB tmpfs; the database stays outside it):
 * extraction and install.sh running out of space get a clear 400 in eKuiper's shape, leave nothing
 * behind, and the next install works once space is back. Mounting needs root, as CI runs; without
 * it the test fails saying so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DiskFullIT {
  private static final String NO_SPACE = "No space left on device";
  private Path dir;
  private Path home;
  private TestKpm kpm;
  private EmbeddedTomcat http;

  @BeforeAll
  void mountSmallDisk() throws Exception {
    dir = Files.createTempDirectory(Path.of("target"), "disk-full-").toAbsolutePath();
    home = Files.createDirectories(dir.resolve("home"));
    try {
      Processes.run(
          List.of("mount", "-t", "tmpfs", "-o", "size=6m,mode=0755", "tmpfs", home.toString()),
          Duration.ofSeconds(20));
    } catch (AssertionError e) {
      throw new AssertionError(
          "this test mounts a 6 MiB tmpfs as kpm's home and needs root (as CI runs): "
              + e.getMessage(),
          e);
    }
    kpm = TestKpm.start(home);
    http = EmbeddedTomcat.start(kpm.runtime()::mount);
  }

  @AfterAll
  void unmount() {
    http.close();
    kpm.close();
    Processes.run(List.of("umount", "-l", home.toString()), Duration.ofSeconds(20));
  }

  @AfterEach
  void removeFiller() throws IOException {
    Files.deleteIfExists(home.resolve("filler"));
  }

  private long used() throws IOException {
    FileStore store = Files.getFileStore(home);
    return store.getTotalSpace() - store.getUnallocatedSpace();
  }

  private static byte[] noise(int bytes, long seed) {
    byte[] data = new byte[bytes];
    new Random(seed).nextBytes(data);
    return data;
  }

  private HttpResponse<String> create(String name, Path zip) {
    return http.send(
        "POST", "plugins/sources", "{\"name\":\"" + name + "\",\"file\":\"file://" + zip + "\"}");
  }

  @Test
  void anExtractionThatFillsTheDiskIsRefusedAndLeavesNothing() throws Exception {
    long before = used();
    // 4 MiB that do not compress: the download fits, its extraction does not.
    Path zip =
        TestPlugins.zip(
            dir.resolve("huge.zip"),
            List.of(
                new Entry("Huge.so", noise(4 << 20, 1), 0100644),
                Entry.file("huge.yaml", "a: 1\n")));

    HttpResponse<String> answer = create("huge", zip);

    assertEquals(400, answer.statusCode(), answer.body());
    assertTrue(
        answer
            .body()
            .startsWith(
                "{\"error\":1000,\"message\":\"sources plugins create command error: fail to install"
                    + " plugin: "),
        answer.body());
    assertTrue(answer.body().contains(NO_SPACE), answer.body());
    assertNoTrace(kpm, "sources", "huge");
    assertEquals(before, used(), "every byte written was removed");
  }

  @Test
  void anInstallScriptThatFillsTheDiskIsRefusedAndLeavesNothing() throws Exception {
    long before = used();
    Path zip =
        TestPlugins.zip(
            dir.resolve("greedy.zip"),
            List.of(
                Entry.file("Greedy.so", "so"),
                Entry.file("greedy.yaml", "a: 1\n"),
                Entry.file("install.sh", "dd if=/dev/zero of=fill bs=1M count=64\n")));

    HttpResponse<String> answer = create("greedy", zip);

    assertEquals(400, answer.statusCode(), answer.body());
    assertEquals(
        "{\"error\":1000,\"message\":\"sources plugins create command error: fail to install plugin:"
            + " exit status 1\"}\n",
        answer.body());
    String log = http.send("GET", "plugins/sources/greedy/installs", null).body();
    assertTrue(log.contains(NO_SPACE), "the install log says why: " + log);
    assertNoTrace(kpm, "sources", "greedy");
    assertEquals(before, used(), "every byte written was removed");
  }

  @Test
  void theNextInstallWorksOnceSpaceIsBack() throws Exception {
    Path zip =
        TestPlugins.zip(
            dir.resolve("small.zip"),
            List.of(
                new Entry("Small.so", noise(256 << 10, 2), 0100644),
                Entry.file("small.yaml", "a: 1\n")));
    try (OutputStream out = Files.newOutputStream(home.resolve("filler"))) {
      byte[] block = new byte[64 << 10];
      while (Files.getFileStore(home).getUsableSpace() > block.length) {
        out.write(block);
      }
    }

    HttpResponse<String> full = create("small", zip);
    assertEquals(400, full.statusCode(), full.body());
    assertTrue(full.body().contains(NO_SPACE), full.body());
    assertNoTrace(kpm, "sources", "small");

    Files.delete(home.resolve("filler"));
    assertEquals(201, create("small", zip).statusCode());
    assertEquals(
        "{\"name\":\"small\",\"version\":\"\"}",
        http.send("GET", "plugins/sources/small", null).body());
  }
}
