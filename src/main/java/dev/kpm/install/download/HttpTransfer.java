package dev.kpm.install.download;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Flow.Publisher;
import java.util.concurrent.TimeoutException;

/**
 * Downloads over http(s): TLS verified with the JVM's default trust, redirects followed here so
 * every hop passes the {@link HostGuard}, the whole transfer bounded by one deadline. Thread-safe.
 */
final class HttpTransfer {
  static final int MAX_REDIRECTS = 10;
  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

  private final HttpClient client;
  private final HostGuard guard;
  private final DownloadPolicy policy;

  HttpTransfer(HttpClient client, DownloadPolicy policy) {
    this.client = client;
    this.guard = new HostGuard(policy.allowedHosts(), policy.blockPrivateNetworks());
    this.policy = policy;
  }

  Download fetch(URI start, Path target, long deadlineNanos)
      throws DownloadException, InterruptedException {
    URI uri = withoutFragment(start);
    for (int redirects = 0; ; redirects++) {
      guard.check(uri);
      var response = send(uri, deadlineNanos);
      if (response.statusCode() == 200) {
        return receive(uri, response, target, deadlineNanos);
      }
      discard(response);
      Optional<URI> next = redirectTarget(uri, response);
      if (next.isEmpty()) {
        throw new DownloadException(DownloadTexts.badStatus(response.statusCode()));
      }
      if (redirects == MAX_REDIRECTS) {
        throw new DownloadException("too many redirects");
      }
      uri = next.get();
    }
  }

  private HttpResponse<Publisher<List<ByteBuffer>>> send(URI uri, long deadlineNanos)
      throws DownloadException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(uri).timeout(remaining(deadlineNanos)).GET().build();
    try {
      return client.send(request, BodyHandlers.ofPublisher());
    } catch (HttpTimeoutException e) {
      throw new DownloadException(DownloadTexts.timedOut(policy.timeout()), e);
    } catch (IOException e) {
      throw Failures.orInterrupted(e, DownloadTexts.requestFailed(uri, Failures.describe(uri, e)));
    } catch (IllegalArgumentException e) {
      throw new DownloadException(DownloadTexts.requestFailed(uri, e.getMessage()), e);
    }
  }

  private Download receive(
      URI uri, HttpResponse<Publisher<List<ByteBuffer>>> response, Path target, long deadlineNanos)
      throws DownloadException, InterruptedException {
    long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
    if (declared > policy.maxBytes()) {
      discard(response);
      throw DownloadException.tooLarge(policy.maxBytes());
    }
    BodyQueue body = new BodyQueue();
    response.body().subscribe(body);
    try {
      return copy(body, target, deadlineNanos);
    } catch (TimeoutException e) {
      throw new DownloadException(DownloadTexts.timedOut(policy.timeout()), e);
    } catch (IOException e) {
      throw Failures.orInterrupted(e, DownloadTexts.requestFailed(uri, Failures.describe(uri, e)));
    } finally {
      body.cancel();
    }
  }

  private Download copy(BodyQueue body, Path target, long deadlineNanos)
      throws DownloadException, InterruptedException, IOException, TimeoutException {
    try (FileSink sink = FileSink.create(target, policy.maxBytes())) {
      for (var part = body.next(deadlineNanos); part != null; part = body.next(deadlineNanos)) {
        for (ByteBuffer buffer : part) {
          sink.write(buffer);
        }
        body.request();
      }
      return sink.finish();
    }
  }

  private static Optional<URI> redirectTarget(
      URI from, HttpResponse<Publisher<List<ByteBuffer>>> response) throws DownloadException {
    if (!REDIRECTS.contains(response.statusCode())) {
      return Optional.empty();
    }
    Optional<String> location = response.headers().firstValue("Location");
    if (location.isEmpty()) {
      return Optional.empty();
    }
    URI next;
    try {
      next = withoutFragment(from.resolve(location.get()));
    } catch (IllegalArgumentException e) {
      throw new DownloadException(
          DownloadTexts.requestFailed(from, "failed to parse Location header " + location.get()));
    }
    String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new DownloadException("redirect to unsupported scheme " + scheme);
    }
    return Optional.of(next);
  }

  private static void discard(HttpResponse<Publisher<List<ByteBuffer>>> response) {
    BodyQueue body = new BodyQueue();
    response.body().subscribe(body);
    body.cancel();
  }

  private Duration remaining(long deadlineNanos) throws DownloadException {
    long nanos = deadlineNanos - System.nanoTime();
    if (nanos <= 0) {
      throw new DownloadException(DownloadTexts.timedOut(policy.timeout()));
    }
    return Duration.ofNanos(nanos);
  }

  static URI withoutFragment(URI uri) {
    if (uri.getRawFragment() == null) {
      return uri;
    }
    String s = uri.toString();
    return URI.create(s.substring(0, s.indexOf('#')));
  }
}
