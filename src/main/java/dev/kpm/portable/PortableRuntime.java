package dev.kpm.portable;

import dev.kpm.plugin.Ids;
import dev.kpm.plugin.PluginException;
import dev.kpm.plugin.PluginStore;
import dev.kpm.plugin.PluginType;
import dev.kpm.plugin.PortableSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The running side of installed portable plugins, as the API shows it: the process status, its
 * output, and kpm's symbol API that drives started symbols over the real channels (docs/api.md
 * §8.5–§8.8). Unknown names are 404 (docs/api.md §9.7). Changes — create, update, drop — are the
 * install pipeline's. Thread-safe.
 */
public final class PortableRuntime implements PortableOperations {
  private static final Duration DATA_TIMEOUT = Duration.ofSeconds(10);
  static final int MAX_READ = 1000;
  private final PluginStore store;
  private final PortableSupervisor supervisor;
  private final CallTimings timings;

  public PortableRuntime(PluginStore store, PortableSupervisor supervisor) {
    this(store, supervisor, CallTimings.NONE);
  }

  /** With {@code timings} told of every function call. */
  public PortableRuntime(PluginStore store, PortableSupervisor supervisor, CallTimings timings) {
    this.store = store;
    this.supervisor = supervisor;
    this.timings = timings;
  }

  /**
   * The process status of an installed plugin; 404 for unknown and dropped ones (docs/api.md §9.7).
   */
  public PortableStatus status(String name) {
    Ids.validate(name);
    if (store.find(PluginType.PORTABLES, name).isEmpty()) {
      throw PluginException.notFound("portable plugin " + name + " not found: not found");
    }
    return supervisor
        .status(name)
        .orElse(new PortableStatus(Map.of(), ProcessState.INITIALIZING, "", 0, 0, null, null));
  }

  /** The bounded tail of what the plugin's process printed (kpm extension). */
  public String output(String name) {
    status(name);
    return supervisor.output(name);
  }

  public void startSymbol(String name, String body) {
    Control c = Control.parse(body);
    requireSymbol(name, c);
    run(() -> supervisor.startSymbol(name, c), "start " + c.pluginType() + " " + c.symbolName());
  }

  public void stopSymbol(String name, String body) {
    Control c = Control.parse(body);
    requireSymbol(name, c);
    run(() -> supervisor.stopSymbol(name, c), "stop " + c.pluginType() + " " + c.symbolName());
  }

  public String call(String name, String symbol, String body) {
    requireSymbol(name, Control.function(symbol));
    long start = System.nanoTime();
    boolean ok = false;
    try {
      String reply =
          new String(
              io(
                  () ->
                      supervisor.call(symbol, body.getBytes(StandardCharsets.UTF_8), DATA_TIMEOUT),
                  "call function " + symbol),
              StandardCharsets.UTF_8);
      ok = true;
      return reply;
    } finally {
      timings.called(name, symbol, ok, System.nanoTime() - start);
    }
  }

  /**
   * The next {@code count} (1 to {@value #MAX_READ}) tuples of a source instance of {@code name}.
   */
  public List<String> read(String name, String key, int count) {
    status(name);
    if (count < 1 || count > MAX_READ) {
      throw PluginException.invalid(
          "read source " + key + " error: count must be between 1 and " + MAX_READ);
    }
    return io(() -> supervisor.read(name, key, count, DATA_TIMEOUT), "read source " + key);
  }

  public Optional<String> write(String name, String key, String data, boolean ack) {
    status(name);
    return io(
        () -> supervisor.write(name, key, data.getBytes(StandardCharsets.UTF_8), ack, DATA_TIMEOUT),
        "write sink " + key);
  }

  private void requireSymbol(String name, Control c) {
    Ids.validate(name);
    PortableSpec spec = store.portables().get(name);
    if (spec == null) {
      throw PluginException.notFound("portable plugin " + name + " not found: not found");
    }
    List<String> declared =
        switch (c.pluginType()) {
          case "source" -> spec.sources();
          case "sink" -> spec.sinks();
          default -> spec.functions();
        };
    if (declared == null || !declared.contains(c.symbolName())) {
      throw PluginException.notFound(
          "portable plugin " + name + " has no " + c.pluginType() + " " + c.symbolName());
    }
  }

  private interface IoCall<T> {
    T run() throws IOException;
  }

  private interface IoRun {
    void run() throws IOException;
  }

  private static void run(IoRun call, String what) {
    io(
        () -> {
          call.run();
          return null;
        },
        what);
  }

  private static <T> T io(IoCall<T> call, String what) {
    try {
      return call.run();
    } catch (IOException e) {
      throw PluginException.invalid(what + " error: " + e.getMessage());
    }
  }
}
