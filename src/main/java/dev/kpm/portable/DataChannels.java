package dev.kpm.portable;

import dev.kpm.portable.sp.PullSocket;
import dev.kpm.portable.sp.PushSocket;
import dev.kpm.portable.sp.RepSocket;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * kpm's side of the data channels of started symbols (docs/portable-protocol.md §2): a PULL
 * listener per source instance, a PUSH dialer plus an ack PULL listener per sink instance, a REP
 * listener per function symbol (kept for the life of kpm, as eKuiper does). Channels outlive plugin
 * processes, so a restarted or updated plugin re-dials them. Thread-safe.
 */
final class DataChannels implements AutoCloseable {
  private final Path dir;
  private final Map<String, PullSocket> sources = new ConcurrentHashMap<>();
  private final Map<String, PushSocket> sinks = new ConcurrentHashMap<>();
  private final Map<String, PullSocket> acks = new ConcurrentHashMap<>();
  private final Map<String, RepSocket> functions = new ConcurrentHashMap<>();

  /** The plugin that started each source or sink instance, by channel key. */
  private final Map<String, String> owners = new ConcurrentHashMap<>();

  DataChannels(Path dir) {
    this.dir = dir;
  }

  Path path(String file) {
    return dir.resolve(file + ".ipc");
  }

  /**
   * Listens before the start command: PULL for a source, the ack PULL for a sink, REP for a
   * function.
   */
  void prepare(String plugin, Control c) throws IOException {
    boolean claimed = false;
    if (!c.pluginType().equals("func")) {
      String owner = owners.putIfAbsent(c.key(), plugin);
      if (owner != null && !owner.equals(plugin)) {
        throw new IOException(
            "channel " + c.key() + " belongs to portable plugin " + owner + ", which started it");
      }
      claimed = owner == null;
    }
    try {
      switch (c.pluginType()) {
        case "source" -> sources.computeIfAbsent(c.key(), k -> listenPull(path(k)));
        case "sink" -> acks.computeIfAbsent(c.key(), k -> listenPull(path(k + "_ack")));
        default -> function(c.symbolName());
      }
    } catch (ChannelException e) {
      if (claimed) {
        owners.remove(c.key());
      }
      throw new IOException(e.getMessage(), e.getCause());
    }
  }

  /** After the plugin answered {@code ok}: dial its sink PULL. */
  void connect(Control c, Duration timeout) throws IOException {
    if (c.pluginType().equals("sink") && !sinks.containsKey(c.key())) {
      sinks.put(c.key(), PushSocket.dial(path(c.key()), timeout));
    }
  }

  /** Closes a source or sink instance's channels (before its stop command); functions stay. */
  void release(Control c) {
    close(sources.remove(c.key()));
    close(sinks.remove(c.key()));
    close(acks.remove(c.key()));
    owners.remove(c.key());
  }

  RepSocket function(String symbol) throws IOException {
    RepSocket rep = functions.get(symbol);
    if (rep == null) {
      try {
        rep = functions.computeIfAbsent(symbol, s -> listenRep(path("func_" + s)));
      } catch (ChannelException e) {
        throw new IOException(e.getMessage(), e.getCause());
      }
    }
    return rep;
  }

  /** The source instance {@code key} if {@code plugin} started it, else null. */
  PullSocket source(String plugin, String key) {
    return plugin.equals(owners.get(key)) ? sources.get(key) : null;
  }

  /** The sink instance {@code key} if {@code plugin} started it, else null. */
  PushSocket sink(String plugin, String key) {
    return plugin.equals(owners.get(key)) ? sinks.get(key) : null;
  }

  PullSocket ack(String key) {
    return acks.get(key);
  }

  private static PullSocket listenPull(Path path) {
    try {
      return PullSocket.listen(path);
    } catch (IOException e) {
      throw new ChannelException("cannot listen on ipc://" + path + ": " + e.getMessage(), e);
    }
  }

  private static RepSocket listenRep(Path path) {
    try {
      return RepSocket.listen(path);
    } catch (IOException e) {
      throw new ChannelException("cannot listen on ipc://" + path + ": " + e.getMessage(), e);
    }
  }

  private static void close(AutoCloseable socket) {
    if (socket != null) {
      try {
        socket.close();
      } catch (Exception e) {
        // closing is best effort; the socket file is unlinked by close
      }
    }
  }

  @Override
  public void close() {
    sources.values().forEach(DataChannels::close);
    sinks.values().forEach(DataChannels::close);
    acks.values().forEach(DataChannels::close);
    functions.values().forEach(DataChannels::close);
    sources.clear();
    sinks.clear();
    acks.clear();
    functions.clear();
  }

  /** A listener that could not be created inside a computeIfAbsent; leaves as an IOException. */
  static final class ChannelException extends RuntimeException {
    ChannelException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
