package dev.kpm.install;

import dev.kpm.fleet.ArtifactException;
import dev.kpm.fleet.ArtifactStore;
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

/**
 * One install's archive being stored in the fleet's database, on a thread of its own ({@code
 * kpm-artifact-put}) while the install checks, extracts and runs install.sh, so the store costs the
 * install little time of its own. Content-addressed: a second store of the same bytes writes
 * nothing; while another put stores them, this one waits for it.
 */
final class ArchiveUpload {
  private static final Duration BUSY_RETRY = Duration.ofMillis(100);

  private final ArtifactStore store;
  private final CompletableFuture<Void> done = new CompletableFuture<>();

  /** Set when the attempt ends without a commit: the store stops reading and discards its part. */
  private final AtomicBoolean cancelled = new AtomicBoolean();

  private ArchiveUpload(ArtifactStore store) {
    this.store = store;
  }

  /**
   * Starts storing {@code file}, whose digest is {@code sha256}; {@code stored} runs on the store's
   * thread once the archive is stored, unless the store was cancelled.
   */
  static ArchiveUpload start(ArtifactStore store, Path file, String sha256, Runnable stored) {
    ArchiveUpload upload = new ArchiveUpload(store);
    NamedThreads.of("kpm-artifact-put")
        .newThread(
            () -> {
              try {
                upload.put(file, sha256);
                if (!upload.cancelled.get()) {
                  stored.run();
                }
                upload.done.complete(null);
              } catch (RuntimeException e) {
                upload.done.completeExceptionally(e);
              }
            })
        .start();
    return upload;
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

  private void put(Path file, String sha) {
    long giveUp = System.nanoTime() + ArtifactStore.LEASE.toNanos();
    while (true) {
      try (InputStream in = cancellable(Files.newInputStream(file))) {
        store.put(sha, in);
        return;
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
