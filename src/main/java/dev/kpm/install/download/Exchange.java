package dev.kpm.install.download;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpHead;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * One GET (or HEAD) on a worker thread: Apache's classic client blocks in socket I/O, which an
 * interrupt does not end, so the downloading thread never does that I/O itself. It reads the
 * response from a {@link BodyQueue} and ends the exchange by {@link #cancel}, which closes the
 * connection at once (an abortive close, never a drain of the rest of the body) and so frees the
 * worker too. Only the 200 answer's body is read; any other answer's connection is closed after its
 * head.
 */
final class Exchange {
  static final int PART_BYTES = 64 * 1024;

  private final HttpUriRequestBase request;
  private final BodyQueue body = new BodyQueue();
  private final Future<?> worker;

  private Exchange(
      CloseableHttpClient client,
      HttpUriRequestBase request,
      Timeout timeout,
      ExecutorService threads) {
    this.request = request;
    request.setConfig(RequestConfig.custom().setResponseTimeout(timeout).build());
    this.worker = threads.submit(() -> run(client));
  }

  /**
   * Sends the request on one of {@code threads}; {@code timeout} (the time left of the download)
   * bounds the wait for the response head on the socket.
   */
  static Exchange start(
      CloseableHttpClient client, URI uri, Timeout timeout, ExecutorService threads) {
    return new Exchange(client, new HttpGet(uri), timeout, threads);
  }

  /** As {@link #start}, a HEAD: only the head is wanted (the prebuild check, docs/api.md §8.12). */
  static Exchange head(
      CloseableHttpClient client, URI uri, Timeout timeout, ExecutorService threads) {
    return new Exchange(client, new HttpHead(uri), timeout, threads);
  }

  BodyQueue body() {
    return body;
  }

  /** Closes the connection and stops the worker; harmless once the body has ended. */
  void cancel() {
    request.cancel();
    worker.cancel(true);
  }

  private void run(CloseableHttpClient client) {
    try (ClassicHttpResponse response = client.executeOpen(null, request, null)) {
      HttpEntity entity = response.getEntity();
      int status = response.getCode();
      Header location = response.getFirstHeader("Location");
      body.head(
          new BodyQueue.Head(
              status,
              entity == null ? -1 : entity.getContentLength(),
              location == null ? null : location.getValue()));
      if (status != 200) {
        request.cancel(); // the body is not wanted; closing the response must not read it
        return;
      }
      if (entity != null) {
        copy(entity.getContent());
      }
      body.end();
    } catch (IOException e) {
      body.fail(e);
    } catch (InterruptedException e) {
      // Cancelled: the downloading thread has stopped reading.
      body.fail(new IOException("download stopped", e));
    } catch (RuntimeException e) {
      body.fail(new IOException(e.getMessage(), e));
    }
  }

  private void copy(InputStream in) throws IOException, InterruptedException {
    while (true) {
      body.awaitDemand();
      byte[] part = new byte[PART_BYTES];
      int n = in.read(part);
      if (n < 0) {
        return;
      }
      body.part(ByteBuffer.wrap(part, 0, n));
    }
  }
}
