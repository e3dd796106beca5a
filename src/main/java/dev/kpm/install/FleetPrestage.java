package dev.kpm.install;

import dev.kpm.fleet.ArtifactStore;
import dev.kpm.fleet.FleetLedger;
import dev.kpm.fleet.NodeStates;
import dev.kpm.install.download.Download;
import dev.kpm.install.staging.Staging;
import dev.kpm.plugin.HomeLayout;
import dev.kpm.plugin.PluginType;
import dev.kpm.threads.NamedThreads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Large native archives staged ahead on this node: when another node has stored the archive of a
 * change it has not committed yet ({@link FleetLedger.Notice}), this node fetches it from the
 * database and extracts it, with the install's checks, into a staging folder of its own (thread
 * {@code kpm-fleet-prestage}), while the origin is still extracting and running install.sh. Once
 * the change commits, the apply takes that folder and goes on from there (install.sh, moves,
 * commit) instead of fetching and extracting after the commit: the fleet converges on a large
 * plugin in about the time its origin takes, not twice that.
 *
 * <p>Nothing outside the staging folder changes before the commit: install.sh runs at the apply
 * only. A staged folder is dropped when its origin says the change ended without a commit, when the
 * apply finds that it does not fit (another digest, or this node's files of the plugin changed
 * meanwhile), after {@link #KEEP}, at stop, and at the next start with every staging leftover. At
 * most {@link #MAX} are kept at a time; a notice beyond that is ignored (the apply then fetches).
 */
final class FleetPrestage implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(FleetPrestage.class.getName());

  /** Archives smaller than this are not announced: they apply in milliseconds after the commit. */
  static final long MIN_BYTES = 1L << 20;

  /** How long a staged folder waits for its commit. */
  static final Duration KEEP = Duration.ofMinutes(15);

  /** How many staged folders are kept at a time. */
  static final int MAX = 4;

  /** One archive being staged, or staged; {@code ready} holds empty when staging failed. */
  private record Entry(
      String sha256, CompletableFuture<Optional<NativeInstaller.Prestaged>> ready, long at) {}

  private final NodeStates states;
  private final ArtifactStore artifacts;
  private final NativeInstaller natives;
  private final HomeLayout home;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(NamedThreads.of("kpm-fleet-prestage"));

  FleetPrestage(
      NodeStates states, ArtifactStore artifacts, NativeInstaller natives, HomeLayout home) {
    this.states = states;
    this.artifacts = artifacts;
    this.natives = natives;
    this.home = home;
  }

  /** Hears a notice of another node: stages its archive ahead, or drops what was staged. */
  void notice(FleetLedger.Notice notice) {
    sweep();
    String key = NodeStates.key(notice.type(), notice.name());
    if (!notice.stored()) {
      Entry e = entries.get(key);
      if (e != null && e.sha256().equals(notice.sha256()) && entries.remove(key, e)) {
        discard(e);
      }
      return;
    }
    if (!notice.type().isNative() || (entries.size() >= MAX && !entries.containsKey(key))) {
      return;
    }
    Entry e = new Entry(notice.sha256(), new CompletableFuture<>(), System.nanoTime());
    Entry old = entries.put(key, e);
    if (old != null) {
      discard(old);
    }
    try {
      worker.execute(() -> e.ready().complete(stage(notice.type(), notice.name(), e.sha256())));
    } catch (RejectedExecutionException stopping) {
      entries.remove(key, e);
    }
  }

  /**
   * What was staged ahead for an apply of {@code type}/{@code name} at {@code sha256} replacing
   * {@code held}, waiting for it if it is still being staged; empty when nothing fits (what does
   * not is dropped). The caller holds the plugin's lock and owns the staging folder it gets.
   */
  Optional<NativeInstaller.Prestaged> take(
      PluginType type, String name, String sha256, List<String> held) {
    Entry e = entries.remove(NodeStates.key(type, name));
    if (e == null) {
      return Optional.empty();
    }
    Optional<NativeInstaller.Prestaged> staged = e.ready().join();
    if (staged.isPresent()
        && (!staged.get().sha256().equals(sha256) || !staged.get().fits(home, held))) {
      staged.get().staging().delete();
      return Optional.empty();
    }
    staged.ifPresent(
        s -> LOG.fine(() -> "fleet: " + type.word() + " " + name + " was staged ahead"));
    return staged;
  }

  /** Drops what waited longer than {@link #KEEP} for its commit. */
  void sweep() {
    long now = System.nanoTime();
    entries.forEach(
        (key, e) -> {
          if (now - e.at() > KEEP.toNanos() && entries.remove(key, e)) {
            discard(e);
          }
        });
  }

  /** Fetches and extracts; empty (and nothing left) when anything fails: the apply does it all. */
  private Optional<NativeInstaller.Prestaged> stage(PluginType type, String name, String sha256) {
    Staging staging = null;
    try {
      NodeStates.Target now = states.target(type, name);
      Optional<NodeStates.Held> mine = now.mine();
      if (mine.isPresent()
          && mine.get().state() == NodeStates.State.APPLIED
          && sha256.equals(mine.get().sha256())) {
        return Optional.empty(); // this node has it already
      }
      List<String> held =
          mine.filter(h -> h.state() != NodeStates.State.REMOVED)
              .map(NodeStates.Held::files)
              .orElse(List.of());
      long t0 = System.nanoTime();
      staging = Staging.create(home.staging().resolve(UUID.randomUUID().toString()), home.base());
      Download download = fetch(artifacts, sha256, staging.download());
      long fetched = System.nanoTime();
      NativeInstaller.Prestaged staged =
          natives.prestage(type, name, new HashSet<>(held), staging, download);
      long done = System.nanoTime();
      LOG.info(
          () ->
              String.format(
                  java.util.Locale.ROOT,
                  "fleet: %s %s staged ahead of its commit (%d bytes): fetched in %d ms,"
                      + " extracted in %d ms",
                  type.word(),
                  name,
                  download.bytes(),
                  (fetched - t0) / 1_000_000,
                  (done - fetched) / 1_000_000));
      return Optional.of(staged);
    } catch (Exception e) {
      if (staging != null) {
        staging.delete();
      }
      LOG.log(
          Level.FINE,
          e,
          () ->
              "fleet: " + type.word() + " " + name + " was not staged ahead; the apply fetches it");
      return Optional.empty();
    }
  }

  /**
   * Copies the stored archive into {@code file}; the store's stream checks its length and digest
   * when it reaches the end, so the copy is the archive of this digest or an exception.
   */
  static Download fetch(ArtifactStore artifacts, String sha256, Path file) throws IOException {
    long bytes;
    try (InputStream in = artifacts.open(sha256);
        OutputStream out = Files.newOutputStream(file)) {
      bytes = in.transferTo(out);
    }
    return new Download(file, sha256, bytes);
  }

  /** Deletes an entry's staging folder once its staging has ended. */
  private static void discard(Entry e) {
    e.ready().thenAccept(s -> s.ifPresent(p -> p.staging().delete()));
  }

  @Override
  public void close() {
    worker.shutdownNow();
    for (Entry e : entries.values()) {
      e.ready().complete(Optional.empty()); // one never started: nobody waits for it in vain
      discard(e);
    }
    entries.clear();
  }
}
