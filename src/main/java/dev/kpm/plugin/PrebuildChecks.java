package dev.kpm.plugin;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Which prebuild URLs exist (docs/api.md §8.12): each URL is probed on first use and again once its
 * last answer is older than the TTL ({@code kpm.prebuild.verifyTtl}). Concurrent callers needing
 * the same URL share one probe; at most {@code concurrency} probes run at once; a caller waits at
 * most {@code total} for the probes it needs, and a URL whose probe has not answered by then counts
 * as unreachable for that caller (the probe goes on and its answer is kept for the next one).
 * Thread-safe.
 */
public final class PrebuildChecks {
  /** One bounded reachability check of a URL (2xx after redirects under the download policy). */
  @FunctionalInterface
  public interface Probe {
    boolean reachable(URI url) throws InterruptedException;
  }

  private record Answer(boolean reachable, long atNanos) {}

  private final Probe probe;
  private final long ttlNanos;
  private final Duration total;
  private final Semaphore slots;
  private final Executor executor;
  private final LongSupplier nanoTime;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Boolean>> running = new ConcurrentHashMap<>();

  public PrebuildChecks(
      Probe probe,
      Duration ttl,
      Duration total,
      int concurrency,
      Executor executor,
      LongSupplier nanoTime) {
    this.probe = Objects.requireNonNull(probe, "probe");
    this.ttlNanos = ttl.toNanos();
    this.total = Objects.requireNonNull(total, "total");
    this.slots = new Semaphore(concurrency);
    this.executor = Objects.requireNonNull(executor, "executor");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /** The entries of {@code listing} whose URL answered 2xx, in the listing's order. */
  public Map<String, String> reachable(Map<String, String> listing) {
    Map<String, CompletableFuture<Boolean>> pending = new LinkedHashMap<>();
    long now = nanoTime.getAsLong();
    for (String url : listing.values()) {
      // One atomic decision per URL: join the running probe, use a fresh answer, or start one.
      CompletableFuture<Boolean> probing =
          running.compute(
              url,
              (u, current) -> {
                if (current != null) {
                  return current;
                }
                Answer answer = answers.get(u);
                return answer != null && now - answer.atNanos() < ttlNanos ? null : start(u);
              });
      if (probing != null) {
        pending.put(url, probing);
        if (probing.isDone()) {
          running.remove(url, probing); // not started: the executor refused it
        }
      }
    }
    long deadline = System.nanoTime() + total.toNanos();
    Map<String, Boolean> fresh = new ConcurrentHashMap<>();
    for (Map.Entry<String, CompletableFuture<Boolean>> p : pending.entrySet()) {
      fresh.put(p.getKey(), await(p.getValue(), deadline));
    }
    Map<String, String> out = new LinkedHashMap<>();
    listing.forEach(
        (name, url) -> {
          Boolean ok = fresh.get(url);
          if (ok == null) {
            Answer answer = answers.get(url);
            ok = answer != null && answer.reachable();
          }
          if (ok) {
            out.put(name, url);
          }
        });
    return out;
  }

  private CompletableFuture<Boolean> start(String url) {
    CompletableFuture<Boolean> future = new CompletableFuture<>();
    try {
      executor.execute(() -> run(url, future));
    } catch (RuntimeException e) {
      future.complete(false);
    }
    return future;
  }

  private void run(String url, CompletableFuture<Boolean> future) {
    boolean ok = false;
    try {
      slots.acquire();
      try {
        ok = probe.reachable(URI.create(url));
      } finally {
        slots.release();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      ok = false;
    } finally {
      answers.put(url, new Answer(ok, nanoTime.getAsLong()));
      running.remove(url, future);
      future.complete(ok);
    }
  }

  private static boolean await(CompletableFuture<Boolean> future, long deadlineNanos) {
    long left = deadlineNanos - System.nanoTime();
    try {
      return future.get(Math.max(left, 0), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
