package dev.kpm.portable;

import dev.kpm.portable.sp.PullSocket;
import dev.kpm.portable.sp.PushSocket;
import dev.kpm.threads.NamedThreads;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.logging.Logger;

/**
 * Owns every portable plugin process and channel kpm runs: starts processes at install and at kpm
 * start (all in parallel), restarts crashed ones, drives symbols over eKuiper's channels, and stops
 * everything — no child process, no socket file left — when kpm stops. Thread-safe.
 */
public final class PortableSupervisor implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PortableSupervisor.class.getName());
  private static final Duration DIAL_TIMEOUT = Duration.ofSeconds(5);
  private final PortableSettings settings;
  private final ExecutorService executor;
  private final ScheduledExecutorService scheduler;
  private final ConcurrentHashMap<String, PluginHost> hosts = new ConcurrentHashMap<>();
  private final DataChannels channels;
  private final HostEvents events;

  /**
   * @param executor runs the boot-time starts, one task per plugin
   * @param events told of restarts and crash loops
   */
  public PortableSupervisor(
      PortableSettings settings, ExecutorService executor, HostEvents events) {
    this.settings = settings;
    this.events = events;
    this.executor = executor;
    this.channels = new DataChannels(settings.socketDir());
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(NamedThreads.of("kpm-portable-restarts-"));
  }

  private PluginHost host(String name) {
    return hosts.computeIfAbsent(name, n -> new PluginHost(n, settings, scheduler, events));
  }

  /** Starts (or restarts) a plugin's process and waits for its handshake; replays its journal. */
  public void start(PortablePlugin plugin) throws PortableStartException {
    host(plugin.name()).start(plugin);
  }

  /** Starts every plugin in parallel without waiting; failures show in their status. */
  public void startAll(Collection<PortablePlugin> plugins) {
    for (PortablePlugin p : plugins) {
      executor.execute(
          () -> {
            try {
              start(p);
            } catch (PortableStartException e) {
              LOG.warning("portable plugin " + p.name() + " did not start: " + e.getMessage());
            }
          });
    }
  }

  /**
   * Stops a plugin's process (a drop, a failed install). Its control channel and journal stay only
   * while a started symbol refers to them, so a plugin created again under the name resumes its
   * rules' symbols; otherwise they are closed at once: no listening socket is left for a plugin
   * that is gone.
   */
  public void stop(String name) {
    PluginHost host = hosts.get(name);
    if (host == null) {
      return;
    }
    host.stop();
    hosts.computeIfPresent(
        name,
        (n, h) -> {
          if (h.referenced()) {
            return h;
          }
          h.close();
          return null;
        });
  }

  /** The names whose control channel kpm keeps open (for tests and diagnostics). */
  public java.util.Set<String> hosted() {
    return java.util.Set.copyOf(hosts.keySet());
  }

  /** The last output of a plugin's current or last process. */
  public String output(String name) {
    return Optional.ofNullable(hosts.get(name)).map(PluginHost::output).orElse("");
  }

  /** How many hosted plugins are in each status (eKuiper's word: {@code running}, …). */
  public java.util.Map<String, Long> countByStatus() {
    return hosts.values().stream()
        .collect(
            java.util.stream.Collectors.groupingBy(
                h -> h.status().state().word(), java.util.stream.Collectors.counting()));
  }

  public Optional<PortableStatus> status(String name) {
    return Optional.ofNullable(hosts.get(name)).map(PluginHost::status);
  }

  /**
   * Listens, sends the start, dials a sink (docs/portable-protocol.md §2 order); counts it on
   * {@code ok}.
   */
  public void startSymbol(String plugin, Control c) throws IOException {
    PluginHost host = existing(plugin);
    channels.prepare(plugin, c);
    try {
      host.startSymbol(c);
    } catch (IOException | RuntimeException e) {
      channels.release(c);
      throw e;
    }
    try {
      channels.connect(c, DIAL_TIMEOUT);
    } catch (IOException e) {
      stopSymbol(plugin, c);
      throw new IOException("cannot dial the sink of " + c.key() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Closes the symbol's data channels, then sends its stop (docs/portable-protocol.md §5.1, item
   * 3).
   */
  public void stopSymbol(String plugin, Control c) throws IOException {
    PluginHost host = existing(plugin);
    channels.release(c);
    host.stopSymbol(c);
  }

  private PluginHost existing(String plugin) throws IOException {
    PluginHost host = hosts.get(plugin);
    if (host == null) {
      throw new IOException("plugin " + plugin + " is not running: stop");
    }
    return host;
  }

  /**
   * One function call over the function's channel (docs/portable-protocol.md §3.5); the raw
   * FuncReply.
   */
  public byte[] call(String symbol, byte[] request, Duration timeout) throws IOException {
    return channels.function(symbol).exchange(request, timeout);
  }

  /** The next {@code count} tuples of a source instance that {@code plugin} started. */
  public List<String> read(String plugin, String key, int count, Duration timeout)
      throws IOException {
    PullSocket pull = channels.source(plugin, key);
    if (pull == null) {
      throw new IOException("source " + key + " of portable plugin " + plugin + " is not started");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> tuples = new ArrayList<>();
    while (tuples.size() < count) {
      Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
      tuples.add(new String(pull.receive(left), StandardCharsets.UTF_8));
    }
    return tuples;
  }

  /**
   * Sends one record to a sink instance that {@code plugin} started; with an ack channel, waits for
   * its ack.
   */
  public Optional<String> write(
      String plugin, String key, byte[] data, boolean ack, Duration timeout) throws IOException {
    PushSocket push = channels.sink(plugin, key);
    if (push == null) {
      throw new IOException("sink " + key + " of portable plugin " + plugin + " is not started");
    }
    push.send(data, timeout);
    if (!ack) {
      return Optional.empty();
    }
    return Optional.of(new String(channels.ack(key).receive(timeout), StandardCharsets.UTF_8));
  }

  /** Stops every process (SIGTERM, grace, SIGKILL of each tree) and closes every channel. */
  @Override
  public void close() {
    hosts.values().parallelStream().forEach(PluginHost::close);
    channels.close();
    scheduler.shutdownNow();
  }
}
