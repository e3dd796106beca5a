package dev.kpm.install.download;

import dev.kpm.threads.NamedThreads;
import java.net.URI;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongConsumer;
import java.util.function.ObjLongConsumer;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;

/**
 * Fetches a plugin zip from a {@code file}, {@code http} or {@code https} URI into a new file,
 * computing its SHA-256 while streaming (docs/api.md §9.11–§9.13). Thread-safe: one instance serves
 * concurrent downloads, each to its own target. TLS is verified with the JVM's default trust store,
 * the certificate against the URL's host name; there is no switch to turn that off. Each host is
 * looked up once per download and connected to at the addresses that were checked ({@link
 * HostGuard}).
 */
public final class Downloader implements AutoCloseable {
  private final DownloadPolicy policy;
  private final LocalFile files;
  private final HttpTransfer http;
  private final ExecutorService httpThreads;

  /** Told of every finished download's bytes, by scheme: for metrics. */
  private volatile ObjLongConsumer<String> downloaded = (scheme, bytes) -> {};

  public Downloader(DownloadPolicy policy) {
    this(policy, Resolver.SYSTEM, defaultTls());
  }

  /** With the host lookups of {@code resolver} and the trust of {@code tls}: for tests. */
  Downloader(DownloadPolicy policy, Resolver resolver, SSLContext tls) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.files = new LocalFile(policy);
    // The blocking I/O of http downloads runs on these threads (see Exchange); kpm's own threads,
    // under the platform class loader so that none pins this web application's class loader.
    this.httpThreads =
        Executors.newCachedThreadPool(
            NamedThreads.of("kpm-download-")
                .withContextLoader(ClassLoader.getPlatformClassLoader()));
    this.http =
        new HttpTransfer(
            policy, Objects.requireNonNull(resolver, "resolver"), tlsStrategy(tls), httpThreads);
  }

  private static SSLContext defaultTls() {
    try {
      return SSLContext.getDefault();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no default TLS context", e);
    }
  }

  /**
   * The certificate chain checked against {@code tls}'s trust, the host name by the JDK during the
   * handshake (endpoint identification "HTTPS", as Java's own HttpClient does), against the name in
   * the URL: the connection's address comes from the pinned lookup, the name from the URL.
   */
  private static TlsSocketStrategy tlsStrategy(SSLContext tls) {
    return ClientTlsStrategyBuilder.create()
        .setSslContext(tls)
        .setHostVerificationPolicy(HostnameVerificationPolicy.BUILTIN)
        .buildClassic();
  }

  /** The policy's size cap: what {@link #fetch(URI, Path)} allows. */
  public long maxBytes() {
    return policy.maxBytes();
  }

  /**
   * Tells {@code listener} the scheme ({@code file}, {@code http}, {@code https}) and length of
   * every download that finishes from now on; it must not block or throw.
   */
  public void onDownloaded(ObjLongConsumer<String> listener) {
    this.downloaded = Objects.requireNonNull(listener, "listener");
  }

  /** Ends the downloads still running (they fail) and stops the worker threads. */
  @Override
  public void close() {
    http.cancelAll();
    httpThreads.shutdownNow();
  }

  /**
   * Whether {@code uri} answers a HEAD with a 2xx status after redirects, within {@code timeout},
   * under this downloader's policy (allowed hosts, private networks, redirect rules, TLS). Only
   * {@code http} and {@code https} are probed; any other scheme, a refusal of the policy, a failure
   * or the timeout is "not reachable". For the prebuild check (docs/api.md §8.12).
   *
   * @throws InterruptedException when the calling thread is interrupted
   */
  public boolean reachable(URI uri, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(uri, "uri");
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return false;
    }
    long deadlineNanos = System.nanoTime() + timeout.toNanos();
    try {
      int status = http.probe(uri, deadlineNanos);
      return status >= 200 && status < 300;
    } catch (DownloadException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Copies the content of {@code uri} to {@code target}, which must not exist and is created. On
   * any failure, interruption included, the target is deleted before this throws (a target that
   * already existed is left alone). The whole call ends within the policy's timeout, give or take a
   * DNS lookup or a local read, which the JDK cannot cut short.
   *
   * @throws DownloadException with the cause text kpm prefixes with "fail to download file <url>: "
   * @throws InterruptedException when the calling thread is interrupted
   */
  public Download fetch(URI uri, Path target) throws DownloadException, InterruptedException {
    return fetch(uri, target, policy.maxBytes());
  }

  /**
   * As {@link #fetch(URI, Path)}, with another size cap than the policy's: uploads fetched from a
   * URL are capped by {@code kpm.uploads.maxBytes}, everything else of the policy applies.
   */
  public Download fetch(URI uri, Path target, long maxBytes)
      throws DownloadException, InterruptedException {
    return fetch(uri, target, maxBytes, size -> {});
  }

  /**
   * As {@link #fetch(URI, Path, long)}, telling {@code expectedBytes} the size once it is known (a
   * file's size, an HTTP Content-Length) — for progress reports.
   */
  public Download fetch(URI uri, Path target, long maxBytes, LongConsumer expectedBytes)
      throws DownloadException, InterruptedException {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(target, "target");
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
    }
    long deadlineNanos = System.nanoTime() + policy.timeout().toNanos();
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    Download done =
        switch (scheme) {
          case "file" -> files.fetch(uri, target, maxBytes, deadlineNanos, expectedBytes);
          case "http", "https" -> http.fetch(uri, target, maxBytes, deadlineNanos, expectedBytes);
          default ->
              throw new DownloadException(
                  DownloadTexts.requestFailed(
                      uri, "unsupported protocol scheme \"" + scheme + "\""));
        };
    downloaded.accept(scheme, done.bytes());
    return done;
  }
}
