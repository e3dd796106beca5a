package dev.kpm.install;

import dev.kpm.plugin.Ids;
import dev.kpm.plugin.InstallRecords;
import dev.kpm.plugin.InstalledPlugin;
import dev.kpm.plugin.PluginException;
import dev.kpm.plugin.PluginStore;
import dev.kpm.plugin.PluginType;
import dev.kpm.plugin.PortableSpec;
import dev.kpm.portable.Control;
import dev.kpm.portable.PortableStatus;
import dev.kpm.portable.PortableSupervisor;
import dev.kpm.portable.ProcessState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Portable plugins: create, hot update and drop with eKuiper's texts (names ID-validated, unknown
 * names 404 — docs/api.md §9.7), their process status, and kpm's symbol API that drives started
 * symbols over the real channels (A3). Thread-safe.
 */
public final class PortableService {
  private static final Duration DATA_TIMEOUT = Duration.ofSeconds(10);
  static final int MAX_READ = 1000;
  private final InstallTools tools;
  private final PluginStore store;
  private final PortableSupervisor supervisor;
  private final PortableInstaller installer;
  private final Jobs jobs;

  public PortableService(
      InstallTools tools,
      PluginStore store,
      InstallRecords records,
      PortableSupervisor supervisor) {
    this.tools = tools;
    this.store = store;
    this.supervisor = supervisor;
    this.installer = new PortableInstaller(tools, store, records, supervisor);
    this.jobs = tools.jobs();
  }

  /** Starts every installed portable plugin, in parallel, without waiting (kpm start). */
  public void startInstalled() {
    supervisor.startAll(
        store.portables().entrySet().stream()
            .map(e -> installer.running(e.getKey(), e.getValue()))
            .toList());
  }

  public String create(String body) {
    InstallRequest req = Requests.install(PluginType.PORTABLES, body);
    Ids.validate(req.name());
    return jobs.locked(PluginType.PORTABLES, req.name(), () -> installer.create(req));
  }

  public String update(String name, String body) {
    Ids.validate(name);
    InstallRequest req = Requests.install(PluginType.PORTABLES, body);
    if (!req.name().isEmpty() && !req.name().equals(name)) {
      throw PluginException.invalid(
          "update portable plugin "
              + name
              + " error: the body names plugin "
              + req.name()
              + " but the path names "
              + name);
    }
    InstallRequest named =
        new InstallRequest(name, req.file(), req.shellParas(), Optional.empty(), req.sha256());
    return jobs.locked(
        PluginType.PORTABLES,
        name,
        () -> {
          InstalledPlugin old =
              store
                  .find(PluginType.PORTABLES, name)
                  .orElseThrow(
                      () ->
                          PluginException.notFound(
                              "update portable plugin "
                                  + name
                                  + " error: portable plugin "
                                  + name
                                  + " is not found"));
          return installer.update(named, old, store.portables().get(name));
        });
  }

  /** Stops the process and removes files and row; started symbols keep their channels (A1). */
  public String drop(String name) {
    Ids.validate(name);
    return jobs.locked(
        PluginType.PORTABLES,
        name,
        () -> {
          new PluginRemover(tools.home(), store, tools.pauses())
              .drop(jobs, PluginType.PORTABLES, name, () -> supervisor.stop(name))
              .orElseThrow(
                  () ->
                      PluginException.notFound(
                          "delete portable plugin "
                              + name
                              + " error: portable plugin "
                              + name
                              + " is not found"));
          return "portable plugin " + name + " is deleted";
        });
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
    return new String(
        io(
            () -> supervisor.call(symbol, body.getBytes(StandardCharsets.UTF_8), DATA_TIMEOUT),
            "call function " + symbol),
        StandardCharsets.UTF_8);
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
