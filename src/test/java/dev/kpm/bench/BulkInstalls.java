package dev.kpm.bench;

import static dev.kpm.bench.InstallBench.expect;
import static dev.kpm.bench.InstallBench.say;

import dev.kpm.testing.FixtureServer;
import dev.kpm.testing.LauncherProcess;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * B1: {@code POST /plugins/sources} of the ~50 MB plugin zip until the 201, over {@code file://},
 * over {@code http://} from the loopback server, over {@code file://} for the same zip with an
 * install.sh (kpm then writes every entry, as unzip does), and the zip uploaded first — a multipart
 * {@code POST /config/uploads} streamed from the file — then installed over {@code file://} from
 * the path the upload answered, timed from the upload's first byte to the install's 201; the plugin
 * (and the upload) are deleted, untimed, after each install, and so is the archive kpm stored for
 * the fleet in its database: every timed install stores the 50 MB anew, as the first install of an
 * archive does (a second install of the same bytes only finds them stored). Baseline in the same
 * rounds: {@code unzip -q} of the zip into a fresh folder, then {@code sync}. Every step starts
 * after an untimed {@code sync}, so none pays for the dirty pages of the one before; the order of
 * the five steps rotates from round to round, because each step also pays for the files the step
 * before it deleted (README).
 */
final class BulkInstalls {
  static final String NAME = "bulk";
  static final int STEPS = 5;

  /** Issue 17: with the archive stored in the database for the fleet, at most 1.5× unzip + sync. */
  private static final double TARGET = 1.5;

  private static final String BOUNDARY = "kpm-bench-9f3c51d2b7e04a68";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final Path work;
  private final LauncherProcess kpm;
  private final FixtureServer http;
  private final List<Double> syncSeconds = new ArrayList<>();
  private final int dbPort;

  BulkInstalls(Path work, LauncherProcess kpm, FixtureServer http, int dbPort) {
    this.work = work;
    this.kpm = kpm;
    this.http = http;
    this.dbPort = dbPort;
  }

  /**
   * Deletes the stored archives no plugin and no node refers to (untimed): what kpm's garbage
   * collection does after {@code kpm.fleet.artifactGrace}, done at once so the next install stores
   * its archive again.
   */
  private void forgetArchives() throws java.sql.SQLException {
    try (java.sql.Connection c =
            java.sql.DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + dbPort + "/postgres", "postgres", "");
        java.sql.Statement st = c.createStatement()) {
      int deleted =
          st.executeUpdate(
              "DELETE FROM artifact a WHERE NOT EXISTS (SELECT 1 FROM plugin p"
                  + " WHERE p.sha256 = a.sha256) AND NOT EXISTS (SELECT 1 FROM node_plugin n"
                  + " WHERE n.sha256 = a.sha256)");
      if (deleted != 1) {
        throw new IllegalStateException("expected the one archive stored, deleted " + deleted);
      }
    }
  }

  /**
   * Warm-up installs, then the rounds; returns the table rows, their figures named after {@code
   * size} (e.g. {@code 50 MB zip}).
   */
  List<BenchRow> run(Path zip, Path scripted, String size, int rounds, int warmup)
      throws Exception {
    List<String> urls =
        List.of("file://" + zip, http.url(zip.getFileName().toString()), "file://" + scripted);
    say("== B1 warm-up: " + warmup + " installs of each kind, one unzip");
    unzip(zip);
    for (int i = 0; i < warmup; i++) {
      for (String url : urls) {
        install(url);
      }
      uploadThenInstall(zip);
    }
    List<List<Sample>> samples = List.of(list(), list(), list(), list(), list());
    for (int r = 0; r < rounds; r++) {
      for (int step = 0; step < STEPS; step++) {
        int kind = (r + step) % STEPS;
        samples
            .get(kind)
            .add(
                switch (kind) {
                  case 0 -> unzip(zip);
                  case 4 -> uploadThenInstall(zip);
                  default -> install(urls.get(kind - 1));
                });
      }
      say("B1 round " + (r + 1) + " (wall/CPU s): " + describe(samples, r));
    }
    List<Sample> medians = samples.stream().map(Sample::median).toList();
    say(
        String.format(
            Locale.ROOT,
            "B1 medians (wall/CPU s): %s; sync took %.2f s of the baseline",
            describe(medians.stream().map(List::of).toList(), 0),
            Sample.median(syncSeconds.stream().mapToDouble(d -> d).toArray())));
    Sample base = medians.get(0);
    return List.of(
        row(size + ", file://", medians.get(1), base),
        row(size + ", http:// (loopback)", medians.get(2), base),
        row(size + " + install.sh (all files written), file://", medians.get(3), base),
        row(
            "upload then install ("
                + size
                + "): multipart POST /config/uploads, then file:// of the stored path",
            medians.get(4),
            base));
  }

  private static List<Sample> list() {
    return new ArrayList<>();
  }

  private static String describe(List<List<Sample>> samples, int round) {
    return "unzip+sync "
        + samples.get(0).get(round)
        + ", kpm file:// "
        + samples.get(1).get(round)
        + ", http:// "
        + samples.get(2).get(round)
        + ", file:// with install.sh "
        + samples.get(3).get(round)
        + ", upload then install "
        + samples.get(4).get(round);
  }

  /** {@code unzip -q} into a fresh folder, then {@code sync}; the folder is removed afterwards. */
  private Sample unzip(Path zip) throws Exception {
    Path dest = work.resolve("unzip");
    BenchHost.deleteTree(dest);
    BenchHost.sync();
    double cpu = BenchHost.childrenCpu();
    long t0 = System.nanoTime();
    BenchHost.run("unzip", "-q", zip.toString(), "-d", dest.toString());
    long t1 = System.nanoTime();
    BenchHost.sync();
    Sample s = new Sample((System.nanoTime() - t0) / 1e9, BenchHost.childrenCpu() - cpu);
    syncSeconds.add((System.nanoTime() - t1) / 1e9);
    BenchHost.deleteTree(dest);
    return s;
  }

  /** One timed install (POST until the 201) of the bulk plugin, then its untimed delete. */
  private Sample install(String url) throws Exception {
    BenchHost.sync();
    Path pgdata = work.resolve("home").resolve("pgdata");
    double cpu = BenchHost.kpmCpu(pgdata);
    long t0 = System.nanoTime();
    HttpResponse<String> created =
        kpm.send(
            "POST", "/plugins/sources", "{\"name\":\"" + NAME + "\",\"file\":\"" + url + "\"}");
    Sample s = new Sample((System.nanoTime() - t0) / 1e9, BenchHost.kpmCpu(pgdata) - cpu);
    expect(created, 201, "install of " + url);
    expect(kpm.send("GET", "/plugins/sources/" + NAME, null), 200, "describe");
    expect(kpm.send("DELETE", "/plugins/sources/" + NAME, null), 200, "delete");
    forgetArchives();
    return s;
  }

  /**
   * One timed upload of the zip (a multipart form streamed from the file, as a browser or curl -F
   * sends it) and install of the stored file over {@code file://}, from the upload's start to the
   * install's 201; then the untimed delete of the plugin and of the upload.
   */
  private Sample uploadThenInstall(Path zip) throws Exception {
    BenchHost.sync();
    Path pgdata = work.resolve("home").resolve("pgdata");
    byte[] head =
        ("--"
                + BOUNDARY
                + "\r\nContent-Disposition: form-data; name=\"uploadFile\"; filename=\""
                + NAME
                + ".zip\"\r\nContent-Type: application/zip\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] tail = ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    double cpu = BenchHost.kpmCpu(pgdata);
    long t0 = System.nanoTime();
    HttpResponse<String> uploaded =
        HTTP.send(
            HttpRequest.newBuilder(kpm.uri("/config/uploads"))
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(
                    BodyPublishers.concat(
                        BodyPublishers.ofByteArray(head),
                        BodyPublishers.ofFile(zip),
                        BodyPublishers.ofByteArray(tail)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    expect(uploaded, 201, "upload of " + zip);
    HttpResponse<String> created =
        kpm.send(
            "POST",
            "/plugins/sources",
            "{\"name\":\"" + NAME + "\",\"file\":\"file://" + uploaded.body() + "\"}");
    Sample s = new Sample((System.nanoTime() - t0) / 1e9, BenchHost.kpmCpu(pgdata) - cpu);
    expect(created, 201, "install of the upload " + uploaded.body());
    expect(kpm.send("GET", "/plugins/sources/" + NAME, null), 200, "describe");
    expect(kpm.send("DELETE", "/plugins/sources/" + NAME, null), 200, "delete");
    expect(kpm.send("DELETE", "/config/uploads/" + NAME + ".zip", null), 200, "delete the upload");
    forgetArchives();
    return s;
  }

  private static BenchRow row(String what, Sample kpm, Sample base) {
    double ratio = kpm.wall() / base.wall();
    return new BenchRow(
        "B1",
        what,
        String.format(Locale.ROOT, "%.2f s", kpm.wall()),
        String.format(Locale.ROOT, "%.2f s `unzip -q` + `sync`", base.wall()),
        String.format(Locale.ROOT, "%.2f×", ratio),
        String.format(Locale.ROOT, "≤ %.1f×", TARGET),
        ratio <= TARGET,
        kpm.cpu(),
        base.cpu());
  }
}
