package dev.kpm.install.download;

import dev.kpm.threads.NamedThreads;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Fetches a plugin zip from a {@code file}, {@code http} or {@code https} URI into a new file,
 * computing its SHA-256 while streaming (docs/api.md §9.11–§9.13). Thread-safe: one instance serves
 * concurrent downloads, each to its own target. TLS is verified with the JVM's default trust store;
 * there is no switch to turn that off.
 */
public final class Downloader implements AutoCloseable {
  private final DownloadPolicy policy;
  private final LocalFile files;
  private final HttpTransfer http;
  private final ExecutorService httpThreads;

  public Downloader(DownloadPolicy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.files = new LocalFile(policy);
    this.httpThreads =
        Executors.newCachedThreadPool(
            NamedThreads.of("kpm-download-")
                .withContextLoader(ClassLoader.getPlatformClassLoader()));
    this.http = new HttpTransfer(client(policy, httpThreads), policy);
  }

  /**
   * The client's selector thread starts here and lives until the client is garbage-collected (Java
   * 17 has no close); built under the platform class loader so that no thread of it pins this web
   * application's class loader, and with kpm's own threads, which {@link #close} stops.
   */
  private static HttpClient client(DownloadPolicy policy, ExecutorService threads) {
    Thread current = Thread.currentThread();
    ClassLoader previous = current.getContextClassLoader();
    current.setContextClassLoader(ClassLoader.getPlatformClassLoader());
    try {
      return HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(policy.timeout())
          // HTTP/1.1 keeps cleartext requests free of h2c upgrade headers some servers mishandle.
          .version(HttpClient.Version.HTTP_1_1)
          .executor(threads)
          .build();
    } finally {
      current.setContextClassLoader(previous);
    }
  }

  /** Stops the client's worker threads; downloads still running fail. */
  @Override
  public void close() {
    httpThreads.shutdownNow();
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
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(target, "target");
    long deadlineNanos = System.nanoTime() + policy.timeout().toNanos();
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    return switch (scheme) {
      case "file" -> files.fetch(uri, target, deadlineNanos);
      case "http", "https" -> http.fetch(uri, target, deadlineNanos);
      default ->
          throw new DownloadException(
              DownloadTexts.requestFailed(uri, "unsupported protocol scheme \"" + scheme + "\""));
    };
  }
}
