package dev.kpm.install;

import dev.kpm.fleet.ArtifactException;
import dev.kpm.fleet.ArtifactStore;
import dev.kpm.fleet.FleetLedger;
import dev.kpm.plugin.PluginException;
import dev.kpm.threads.NamedThreads;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One install's archive being stored in the fleet's database, on a thread of its own ({@code
 * kpm-artifact-put}) while the install checks, extracts and runs install.sh, so the store costs the
 * install little time of its own. Content-addressed: a second store of the same bytes writes
 * nothing; while another put stores them, this one waits for it.
 */
final class ArchiveUpload {
  private static final Duration BUSY_RETRY = Duration.ofMillis(100);

  private static final Logger LOG = Logger.getLogger(ArchiveUpload.class.getName());

  private final ArtifactStore store;
  private final CompletableFuture<Void> done = new CompletableFuture<>();

  /** Set when the attempt ends without a commit: the store stops reading and discards its part. */
  private final AtomicBoolean cancelled = new AtomicBoolean();

  /** What the other nodes are told once the archive is stored; null: nothing (FleetPrestage). */
  private final FleetLedger.Notice notice;

  /** Whether they were told and the change has not committed yet. */
  private final AtomicBoolean announced = new AtomicBoolean();

  private ArchiveUpload(ArtifactStore store, FleetLedger.Notice notice) {
    this.store = store;
    this.notice = notice;
  }

  /**
   * Starts storing {@code file}, whose digest is {@code sha256}; once it is stored, unless the
   * store was cancelled, {@code notice} (unless null) tells the other nodes, so they stage it
   * ahead.
   */
  static ArchiveUpload start(
      ArtifactStore store, Path file, String sha256, FleetLedger.Notice notice) {
    ArchiveUpload upload = new ArchiveUpload(store, notice);
    NamedThreads.of("kpm-artifact-put")
        .newThread(
            () -> {
              try {
                long since = System.nanoTime();
                ArtifactStore.Stored stored = upload.put(file, sha256);
                if (notice != null && !upload.cancelled.get()) {
                  upload.announce(stored, since);
                }
                upload.done.complete(null);
              } catch (RuntimeException e) {
                upload.done.completeExceptionally(e);
              }
            })
        .start();
    return upload;
  }

  /** Best effort: a node that misses it installs after the commit as usual. */
  private void announce(ArtifactStore.Stored stored, long since) {
    if (!send(notice)) {
      return;
    }
    announced.set(true);
    long ms = (System.nanoTime() - since) / 1_000_000;
    LOG.info(
        () ->
            "fleet: "
                + notice.type().word()
                + " "
                + notice.name()
                + " stored for the fleet ("
                + stored.size()
                + " bytes) in "
                + ms
                + " ms and announced, ahead of its commit");
  }

  /** The change committed: what the other nodes staged ahead is what they apply. */
  void committed() {
    announced.set(false);
  }

  /**
   * Tells the other nodes that an announced archive will not be committed, so they drop what they
   * staged; nothing when it was not announced or its change committed.
   */
  void dropAnnounced() {
    if (announced.getAndSet(false)) {
      send(notice.dropped());
    }
  }

  private boolean send(FleetLedger.Notice n) {
    try {
      store.announce(n);
      return true;
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "fleet: the notice was not sent", e);
      return false;
    }
  }

  /** Waits until the archive is stored; its failure is the install's (eKuiper's 400 shape). */
  void await() {
    try {
      done.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : e;
    }
  }

  /**
   * Waits until the archive is stored, as {@link #await}, but gives way to an interrupt (a job
   * cancelled meanwhile): the install waits here before extracting, not only before its commit.
   */
  void awaitInterruptibly() {
    try {
      done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PluginException.invalid("interrupted while the archive was stored for the fleet");
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new CompletionException(e);
    }
  }

  /**
   * Stops a store still running and waits for it: it writes nothing more, removes what it wrote,
   * and lets go of the download, whose space is then free.
   */
  void cancel() {
    if (done.isDone()) {
      return;
    }
    cancelled.set(true);
    done.handle((v, e) -> null).join();
  }

  private ArtifactStore.Stored put(Path file, String sha) {
    long giveUp = System.nanoTime() + ArtifactStore.LEASE.toNanos();
    while (true) {
      try (InputStream in = cancellable(Files.newInputStream(file))) {
        return store.put(sha, in);
      } catch (ArtifactException e) {
        // Another install stores the same bytes right now: once it is done, they are stored.
        if (e.kind() != ArtifactException.Kind.BUSY || System.nanoTime() - giveUp > 0) {
          throw PluginException.invalid(
              "fail to store the archive for the fleet: " + e.getMessage());
        }
        awaitOtherPut();
      } catch (IOException e) {
        throw PluginException.invalid("fail to store the archive for the fleet: " + e.getMessage());
      }
    }
  }

  /** {@code in}, failing its next read once the store is cancelled. */
  private InputStream cancellable(InputStream in) {
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        check();
        return super.read();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        check();
        return super.read(b, off, len);
      }

      private void check() throws IOException {
        if (cancelled.get()) {
          throw new IOException("the install ended without a commit");
        }
      }
    };
  }

  private static void awaitOtherPut() {
    try {
      Thread.sleep(BUSY_RETRY.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PluginException.invalid("interrupted while kpm was stopping");
    }
  }
}
