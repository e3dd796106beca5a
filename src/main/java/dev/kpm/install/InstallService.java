package dev.kpm.install;

import dev.kpm.audit.Act;
import dev.kpm.install.layout.InstallRequest;
import dev.kpm.install.layout.Requests;
import dev.kpm.plugin.Ids;
import dev.kpm.plugin.InstallOperation;
import dev.kpm.plugin.InstallRecordView;
import dev.kpm.plugin.InstallRecords;
import dev.kpm.plugin.InstalledPlugin;
import dev.kpm.plugin.PluginException;
import dev.kpm.plugin.PluginStore;
import dev.kpm.plugin.PluginType;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Every mutation of the native plugin registry: create, update, drop and register, each decoded and
 * validated with eKuiper's texts, then run on the install executor while holding the lock of its
 * (type, name) — one change per plugin at a time, different plugins in parallel (docs/api.md
 * §9.11). Thread-safe.
 */
public final class InstallService implements PluginChanges {
  private final InstallTools tools;
  private final PluginStore store;
  private final InstallRecords records;
  private final NativeInstaller installer;
  private final Jobs jobs;
  private final JobService queue;

  public InstallService(
      InstallTools tools, PluginStore store, InstallRecords records, JobService queue) {
    this.tools = tools;
    this.store = store;
    this.records = records;
    this.installer = new NativeInstaller(tools, store, records);
    this.jobs = tools.jobs();
    this.queue = queue;
  }

  @Override
  public JobView submitCreate(PluginType type, String body, Act act) {
    act.plugin(type.word(), null);
    InstallRequest req = Requests.install(type, body);
    act.plugin(type.word(), req.name()).source(req.file());
    Ids.validate(req.name());
    return queue.queue(
        type,
        req.name(),
        InstallOperation.CREATE,
        req.file(),
        act,
        () -> installer.create(type, req, act));
  }

  @Override
  public JobView submitUpdate(PluginType type, String name, String body, Act act) {
    InstallRequest named = updateRequest(type, name, body, act);
    return queue.queue(
        type,
        name,
        InstallOperation.UPDATE,
        named.file(),
        act,
        () -> installer.update(type, name, named, act));
  }

  public String create(PluginType type, String body, Act act) {
    act.plugin(type.word(), null);
    InstallRequest req = Requests.install(type, body);
    act.plugin(type.word(), req.name()).source(req.file());
    Ids.validate(req.name());
    return locked(type, req.name(), () -> installer.create(type, req, act));
  }

  public String update(PluginType type, String name, String body, Act act) {
    InstallRequest named = updateRequest(type, name, body, act);
    return locked(type, name, () -> installer.update(type, name, named, act));
  }

  /** The update's request, its name checked against the path's. */
  private static InstallRequest updateRequest(PluginType type, String name, String body, Act act) {
    act.plugin(type.word(), name);
    Ids.validate(name);
    InstallRequest req = Requests.install(type, body);
    act.source(req.file());
    if (!req.name().isEmpty() && !req.name().equals(name)) {
      throw PluginException.invalid(
          "update "
              + type.word()
              + " plugin "
              + name
              + " error: the body names plugin "
              + req.name()
              + " but the path names "
              + name);
    }
    return new InstallRequest(name, req.file(), req.shellParas(), req.functions(), req.sha256());
  }

  @Override
  public DryRun planCreate(PluginType type, String body, Act act) {
    act.plugin(type.word(), null);
    InstallRequest req = Requests.install(type, body);
    act.plugin(type.word(), req.name()).source(req.file());
    Ids.validate(req.name());
    return locked(type, req.name(), () -> installer.planCreate(type, req, act));
  }

  @Override
  public DryRun planUpdate(PluginType type, String name, String body, Act act) {
    InstallRequest named = updateRequest(type, name, body, act);
    return locked(type, name, () -> installer.planUpdate(type, name, named, act));
  }

  @Override
  public DryRun planDrop(PluginType type, String name, Act act) {
    act.plugin(type.word(), name);
    Ids.validate(name);
    DryRun plan =
        locked(
            type,
            name,
            () -> {
              InstalledPlugin p =
                  store.find(type, name).orElseThrow(() -> notInstalled(type, name));
              return PluginRemover.plan(
                  tools.home(),
                  p,
                  type == PluginType.FUNCTIONS ? store.symbolsOf(name) : null,
                  true,
                  null);
            });
    return plan;
  }

  /** eKuiper's 404 for a delete of a plugin that is not installed. */
  private static PluginException notInstalled(PluginType type, String name) {
    return PluginException.notFound(
        "delete "
            + type.word()
            + " plugin "
            + name
            + " error: invalid name "
            + name
            + ": not exist");
  }

  /**
   * Drops a plugin; with {@code stop} the server stops right after answering (docs/api.md §9.1).
   */
  public String drop(PluginType type, String name, boolean stop, Act act) {
    act.plugin(type.word(), name);
    if (stop) {
      act.detail("stop=1: the server stops after answering");
    }
    Ids.validate(name);
    String text =
        locked(
            type,
            name,
            () -> {
              new PluginRemover(tools.home(), store, tools.pauses())
                  .drop(jobs, type, name, () -> {}, act)
                  .orElseThrow(() -> notInstalled(type, name));
              return type.word() + " plugin " + name + " is deleted and eKuiper ";
            });
    if (stop) {
      tools.server().stopSoon();
      return text + "will be stopped";
    }
    return text + "must restart for the change to take effect.";
  }

  /** Replaces a function plugin's function list, all or nothing (docs/api.md §9.5). */
  public String register(String name, String body, Act act) {
    act.plugin(PluginType.FUNCTIONS.word(), name);
    Ids.validate(name);
    return locked(
        PluginType.FUNCTIONS,
        name,
        () -> {
          if (store.find(PluginType.FUNCTIONS, name).isEmpty()) {
            throw PluginException.notFound(
                "register functions plugin " + name + " error: not found");
          }
          List<String> functions = Requests.functionList(body);
          String prefix = "function plugins " + name + " regiser functions error: ";
          if (functions.isEmpty()) {
            throw PluginException.invalid(prefix + "property 'functions' must not be empty");
          }
          Optional<String> taken = store.firstConflict(functions, name);
          if (taken.isPresent()) {
            throw PluginException.invalid(
                prefix + "function name " + taken.get() + " already exists");
          }
          try {
            store.replaceFunctions(name, functions, act);
          } catch (PluginException e) {
            throw PluginException.invalid(prefix + e.getMessage());
          }
          return "function plugin " + name + " function list is registered";
        });
  }

  /** The install attempts of a plugin, newest first (kpm extension). */
  public List<InstallRecordView> history(PluginType type, String name) {
    Ids.validate(name);
    List<InstallRecordView> history = records.history(type, name);
    if (history.isEmpty() && store.find(type, name).isEmpty()) {
      throw PluginException.notFound(
          "install log of " + type.word() + " plugin " + name + " error: not found");
    }
    return history;
  }

  private <T> T locked(PluginType type, String name, Supplier<T> work) {
    return jobs.locked(type, name, work);
  }
}
