package dev.kpm.install.download;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.io.HttpClientConnectionManager;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * Downloads over http(s) with Apache HttpClient 5: TLS verified (certificate chain and host name),
 * redirects followed here so every hop passes the {@link HostGuard}, every connection made to the
 * addresses the guard checked ({@link PinnedAddresses}), the whole transfer bounded by one
 * deadline. Each download has its own client and connections, closed when it ends, so no connection
 * (nor its pinned address) outlives or crosses downloads. Thread-safe.
 */
final class HttpTransfer {
  static final int MAX_REDIRECTS = 10;
  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

  private final DownloadPolicy policy;
  private final HostGuard guard;
  private final Resolver resolver;
  private final TlsSocketStrategy tls;
  private final ExecutorService threads;
  private final Set<Exchange> running = ConcurrentHashMap.newKeySet();

  HttpTransfer(
      DownloadPolicy policy, Resolver resolver, TlsSocketStrategy tls, ExecutorService threads) {
    this.policy = policy;
    this.guard = new HostGuard(policy.allowedHosts(), policy.blockPrivateNetworks());
    this.resolver = resolver;
    this.tls = tls;
    this.threads = threads;
  }

  Download fetch(
      URI start, Path target, long maxBytes, long deadlineNanos, LongConsumer expectedBytes)
      throws DownloadException, InterruptedException {
    URI uri = withoutFragment(start);
    PinnedAddresses pins = new PinnedAddresses(resolver);
    CloseableHttpClient client = client(pins, deadlineNanos);
    try {
      for (int redirects = 0; ; redirects++) {
        guard.check(uri, pins);
        Exchange exchange = start(client, uri, deadlineNanos);
        try {
          BodyQueue.Head head = head(uri, exchange, deadlineNanos);
          if (head.status() == 200) {
            if (head.contentLength() >= 0) {
              expectedBytes.accept(head.contentLength());
            }
            return receive(uri, exchange, head, target, maxBytes, deadlineNanos);
          }
          Optional<URI> next = redirectTarget(uri, head);
          if (next.isEmpty()) {
            throw new DownloadException(DownloadTexts.badStatus(head.status()));
          }
          if (redirects == MAX_REDIRECTS) {
            throw new DownloadException("too many redirects");
          }
          uri = next.get();
        } finally {
          exchange.cancel();
          running.remove(exchange);
        }
      }
    } finally {
      client.close(CloseMode.IMMEDIATE);
    }
  }

  /**
   * The status of a HEAD of {@code start} after following redirects, each hop through the {@link
   * HostGuard} as a download's; nothing of a body is read. For the prebuild check (docs/api.md
   * §8.12).
   */
  int probe(URI start, long deadlineNanos) throws DownloadException, InterruptedException {
    URI uri = withoutFragment(start);
    PinnedAddresses pins = new PinnedAddresses(resolver);
    CloseableHttpClient client = client(pins, deadlineNanos);
    try {
      for (int redirects = 0; ; redirects++) {
        guard.check(uri, pins);
        Timeout left = left(deadlineNanos);
        if (left == null) {
          throw new DownloadException(DownloadTexts.timedOut(policy.timeout()));
        }
        Exchange exchange;
        try {
          exchange = Exchange.head(client, uri, left, threads);
        } catch (RejectedExecutionException e) {
          throw new DownloadException(
              DownloadTexts.requestFailed(uri, "the downloader is closed"), e);
        }
        running.add(exchange);
        try {
          BodyQueue.Head head = head(uri, exchange, deadlineNanos);
          Optional<URI> next = redirectTarget(uri, head);
          if (next.isEmpty()) {
            return head.status();
          }
          if (redirects == MAX_REDIRECTS) {
            throw new DownloadException("too many redirects");
          }
          uri = next.get();
        } finally {
          exchange.cancel();
          running.remove(exchange);
        }
      }
    } finally {
      client.close(CloseMode.IMMEDIATE);
    }
  }

  /** Ends every running download (they fail); for {@link Downloader#close}. */
  void cancelAll() {
    running.forEach(Exchange::cancel);
  }

  /**
   * A client of one download: its connections get their addresses from {@code pins} only, time out
   * when the download's deadline passes, and carry exactly the server's bytes (no decompression, no
   * retries, no redirects, no cookies, no authentication).
   */
  private CloseableHttpClient client(PinnedAddresses pins, long deadlineNanos) {
    HttpClientConnectionManager connections =
        PoolingHttpClientConnectionManagerBuilder.create()
            .setDnsResolver(pins)
            .setTlsSocketStrategy(tls)
            .setConnectionConfigResolver(
                route -> {
                  Timeout left = atLeastOneMilli(left(deadlineNanos));
                  return ConnectionConfig.custom()
                      .setConnectTimeout(left)
                      .setSocketTimeout(left)
                      .build();
                })
            .build();
    return HttpClients.custom()
        .setConnectionManager(connections)
        .disableRedirectHandling()
        .disableAutomaticRetries()
        .disableContentCompression()
        .disableCookieManagement()
        .disableAuthCaching()
        .disableConnectionState()
        .build();
  }

  private Exchange start(CloseableHttpClient client, URI uri, long deadlineNanos)
      throws DownloadException {
    Timeout left = left(deadlineNanos);
    if (left == null) {
      throw new DownloadException(DownloadTexts.timedOut(policy.timeout()));
    }
    try {
      Exchange exchange = Exchange.start(client, uri, left, threads);
      running.add(exchange);
      return exchange;
    } catch (IllegalArgumentException e) {
      throw new DownloadException(DownloadTexts.requestFailed(uri, e.getMessage()), e);
    } catch (RejectedExecutionException e) {
      throw new DownloadException(DownloadTexts.requestFailed(uri, "the downloader is closed"), e);
    }
  }

  private BodyQueue.Head head(URI uri, Exchange exchange, long deadlineNanos)
      throws DownloadException, InterruptedException {
    try {
      return exchange.body().head(deadlineNanos);
    } catch (TimeoutException e) {
      throw new DownloadException(DownloadTexts.timedOut(policy.timeout()), e);
    } catch (IOException e) {
      throw failed(uri, e);
    }
  }

  private Download receive(
      URI uri,
      Exchange exchange,
      BodyQueue.Head head,
      Path target,
      long maxBytes,
      long deadlineNanos)
      throws DownloadException, InterruptedException {
    if (head.contentLength() > maxBytes) {
      throw DownloadException.tooLarge(maxBytes);
    }
    try (FileSink sink = FileSink.create(target, maxBytes)) {
      BodyQueue body = exchange.body();
      try {
        for (var part = body.next(deadlineNanos); part != null; part = body.next(deadlineNanos)) {
          sink.write(part);
          body.request();
        }
      } catch (TimeoutException e) {
        throw new DownloadException(DownloadTexts.timedOut(policy.timeout()), e);
      } catch (IOException e) {
        if (head.contentLength() >= 0 && e instanceof ConnectionClosedException) {
          // The body ended early: the text kpm gave with Java's HttpClient.
          throw Failures.orInterrupted(
              e,
              DownloadTexts.requestFailed(
                  uri,
                  "fixed content-length: "
                      + head.contentLength()
                      + ", bytes received: "
                      + sink.bytes()));
        }
        throw failed(uri, e);
      }
      return sink.finish();
    }
  }

  private DownloadException failed(URI uri, IOException e) throws InterruptedException {
    if (Failures.isTimeout(e)) {
      return new DownloadException(DownloadTexts.timedOut(policy.timeout()), e);
    }
    return Failures.orInterrupted(e, DownloadTexts.requestFailed(uri, Failures.describe(uri, e)));
  }

  private static Optional<URI> redirectTarget(URI from, BodyQueue.Head head)
      throws DownloadException {
    if (!REDIRECTS.contains(head.status()) || head.location() == null) {
      return Optional.empty();
    }
    String location = head.location();
    URI next;
    try {
      next = withoutFragment(from.resolve(location));
    } catch (IllegalArgumentException e) {
      throw new DownloadException(
          DownloadTexts.requestFailed(from, "failed to parse Location header " + location));
    }
    String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new DownloadException("redirect to unsupported scheme " + scheme);
    }
    return Optional.of(next);
  }

  /** The time left until the deadline, or null when it has passed. */
  private static Timeout left(long deadlineNanos) {
    long millis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    return millis <= 0 ? null : Timeout.ofMilliseconds(millis);
  }

  private static Timeout atLeastOneMilli(Timeout left) {
    return left == null ? Timeout.ofMilliseconds(1) : left;
  }

  static URI withoutFragment(URI uri) {
    if (uri.getRawFragment() == null) {
      return uri;
    }
    String s = uri.toString();
    return URI.create(s.substring(0, s.indexOf('#')));
  }
}
