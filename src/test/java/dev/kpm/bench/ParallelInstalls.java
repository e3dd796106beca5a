package dev.kpm.bench;

import static dev.kpm.bench.InstallBench.expect;
import static dev.kpm.bench.InstallBench.say;

import dev.kpm.testing.LauncherProcess;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * B5: distinct small plugins installed from {@code file://}, all at once (one client thread per
 * plugin, released together) against one after another; every request must answer 201. All plugins
 * are deleted, untimed, after each pass. Each pass starts after an untimed {@code sync}.
 */
final class ParallelInstalls {
  private static final double TARGET = 1.5;

  private final Path pgdata;
  private final LauncherProcess kpm;
  private final AtomicInteger failures = new AtomicInteger();
  private final List<Double> clientCpu = new ArrayList<>();

  ParallelInstalls(Path work, LauncherProcess kpm) {
    this.pgdata = work.resolve("home").resolve("pgdata");
    this.kpm = kpm;
  }

  /** A warm-up pass all at once, then the rounds; returns the table row. */
  BenchRow run(List<Path> zips, int rounds) throws Exception {
    say("== B5 warm-up: one pass all at once");
    parallel(zips);
    List<Sample> seq = new ArrayList<>();
    List<Sample> par = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      seq.add(sequential(zips));
      par.add(parallel(zips));
      say(
          String.format(
              Locale.ROOT,
              "B5 round %d (wall/CPU s): %d one after another %s, all at once %s, failures so far"
                  + " %d",
              r + 1,
              zips.size(),
              seq.get(r),
              par.get(r),
              failures.get()));
    }
    Sample s = Sample.median(seq);
    Sample p = Sample.median(par);
    say(
        String.format(
            Locale.ROOT,
            "B5 medians (wall/CPU s): one after another %s, all at once %s; the bench's clients"
                + " used %.2f CPU s meanwhile",
            s,
            p,
            Sample.median(clientCpu.stream().mapToDouble(d -> d).toArray())));
    double speedUp = s.wall() / p.wall();
    return new BenchRow(
        "B5",
        String.format(
            Locale.ROOT, "%d installs all at once (%d failures)", zips.size(), failures.get()),
        String.format(Locale.ROOT, "%.2f s", p.wall()),
        String.format(Locale.ROOT, "%.2f s one after another", s.wall()),
        String.format(Locale.ROOT, "%.2f× faster", speedUp),
        String.format(Locale.ROOT, "≥ %.1f×, 0 failures", TARGET),
        speedUp >= TARGET && failures.get() == 0,
        p.cpu(),
        s.cpu());
  }

  private Sample sequential(List<Path> zips) throws Exception {
    BenchHost.sync();
    double cpu = BenchHost.kpmCpu(pgdata);
    long t0 = System.nanoTime();
    for (Path zip : zips) {
      install(zip);
    }
    Sample s = new Sample((System.nanoTime() - t0) / 1e9, BenchHost.kpmCpu(pgdata) - cpu);
    deleteAll(zips);
    return s;
  }

  private Sample parallel(List<Path> zips) throws Exception {
    BenchHost.sync();
    ExecutorService clients = Executors.newFixedThreadPool(zips.size());
    try {
      CountDownLatch ready = new CountDownLatch(zips.size());
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (Path zip : zips) {
        done.add(
            clients.submit(
                () -> {
                  ready.countDown();
                  go.await();
                  install(zip);
                  return null;
                }));
      }
      ready.await();
      double own = BenchHost.ownCpu();
      double cpu = BenchHost.kpmCpu(pgdata);
      long t0 = System.nanoTime();
      go.countDown();
      for (Future<?> f : done) {
        f.get(5, TimeUnit.MINUTES);
      }
      Sample s = new Sample((System.nanoTime() - t0) / 1e9, BenchHost.kpmCpu(pgdata) - cpu);
      clientCpu.add(BenchHost.ownCpu() - own);
      deleteAll(zips);
      return s;
    } finally {
      clients.shutdownNow();
    }
  }

  private void install(Path zip) throws Exception {
    String name = name(zip);
    HttpResponse<String> r =
        kpm.send(
            "POST",
            "/plugins/sources",
            "{\"name\":\"" + name + "\",\"file\":\"file://" + zip + "\"}");
    if (r.statusCode() != 201) {
      failures.incrementAndGet();
      say("B5 install of " + name + " answered " + r.statusCode() + ": " + r.body());
    }
  }

  private void deleteAll(List<Path> zips) throws Exception {
    for (Path zip : zips) {
      expect(kpm.send("DELETE", "/plugins/sources/" + name(zip), null), 200, "delete");
    }
  }

  /** The plugin a zip holds: its file name without {@code .zip}. */
  static String name(Path zip) {
    String file = zip.getFileName().toString();
    return file.substring(0, file.length() - ".zip".length());
  }
}
