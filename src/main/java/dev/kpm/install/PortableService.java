package dev.kpm.install;

import dev.kpm.audit.Act;
import dev.kpm.install.layout.InstallRequest;
import dev.kpm.install.layout.Requests;
import dev.kpm.plugin.Ids;
import dev.kpm.plugin.InstallOperation;
import dev.kpm.plugin.InstallRecords;
import dev.kpm.plugin.InstalledPlugin;
import dev.kpm.plugin.PluginException;
import dev.kpm.plugin.PluginStore;
import dev.kpm.plugin.PluginType;
import dev.kpm.portable.PortableSupervisor;
import java.util.Optional;

/**
 * Portable plugin changes: create, hot update and drop with eKuiper's texts (names ID-validated,
 * unknown names 404 — docs/api.md §9.7), and the start of every installed plugin at boot. What runs
 * — status, output, the symbol API — is {@link dev.kpm.portable.PortableRuntime}. Thread-safe.
 */
public final class PortableService implements PortableChanges {
  private final InstallTools tools;
  private final PluginStore store;
  private final PortableSupervisor supervisor;
  private final PortableInstaller installer;
  private final Jobs jobs;
  private final JobService queue;

  public PortableService(
      InstallTools tools,
      PluginStore store,
      InstallRecords records,
      PortableSupervisor supervisor,
      JobService queue) {
    this.tools = tools;
    this.store = store;
    this.supervisor = supervisor;
    this.installer = new PortableInstaller(tools, store, records, supervisor);
    this.jobs = tools.jobs();
    this.queue = queue;
  }

  @Override
  public JobView submitCreate(String body, Act act) {
    act.plugin(PluginType.PORTABLES.word(), null);
    InstallRequest req = Requests.install(PluginType.PORTABLES, body);
    act.plugin(PluginType.PORTABLES.word(), req.name()).source(req.file());
    Ids.validate(req.name());
    return queue.queue(
        PluginType.PORTABLES,
        req.name(),
        InstallOperation.CREATE,
        req.file(),
        act,
        () -> installer.create(req, act));
  }

  @Override
  public JobView submitUpdate(String name, String body, Act act) {
    InstallRequest named = updateRequest(name, body, act);
    return queue.queue(
        PluginType.PORTABLES,
        name,
        InstallOperation.UPDATE,
        named.file(),
        act,
        () -> installer.update(named, installed(name), store.portables().get(name), act));
  }

  /**
   * Starts every installed portable plugin whose executable is in this node's home, in parallel,
   * without waiting (kpm start). One the fleet has but this node has not applied yet is started by
   * the convergence once it is installed here.
   */
  public void startInstalled() {
    supervisor.startAll(
        store.portables().entrySet().stream()
            .map(e -> installer.running(e.getKey(), e.getValue()))
            .filter(p -> java.nio.file.Files.isRegularFile(p.executable()))
            .toList());
  }

  public String create(String body, Act act) {
    act.plugin(PluginType.PORTABLES.word(), null);
    InstallRequest req = Requests.install(PluginType.PORTABLES, body);
    act.plugin(PluginType.PORTABLES.word(), req.name()).source(req.file());
    Ids.validate(req.name());
    return jobs.locked(PluginType.PORTABLES, req.name(), () -> installer.create(req, act));
  }

  public String update(String name, String body, Act act) {
    InstallRequest named = updateRequest(name, body, act);
    return jobs.locked(
        PluginType.PORTABLES,
        name,
        () -> installer.update(named, installed(name), store.portables().get(name), act));
  }

  private static InstallRequest updateRequest(String name, String body, Act act) {
    act.plugin(PluginType.PORTABLES.word(), name);
    Ids.validate(name);
    InstallRequest req = Requests.install(PluginType.PORTABLES, body);
    act.source(req.file());
    if (!req.name().isEmpty() && !req.name().equals(name)) {
      throw PluginException.invalid(
          "update portable plugin "
              + name
              + " error: the body names plugin "
              + req.name()
              + " but the path names "
              + name);
    }
    return new InstallRequest(name, req.file(), req.shellParas(), Optional.empty(), req.sha256());
  }

  private InstalledPlugin installed(String name) {
    return store
        .find(PluginType.PORTABLES, name)
        .orElseThrow(
            () ->
                PluginException.notFound(
                    "update portable plugin "
                        + name
                        + " error: portable plugin "
                        + name
                        + " is not found"));
  }

  @Override
  public DryRun planCreate(String body, Act act) {
    act.plugin(PluginType.PORTABLES.word(), null);
    InstallRequest req = Requests.install(PluginType.PORTABLES, body);
    act.plugin(PluginType.PORTABLES.word(), req.name()).source(req.file());
    Ids.validate(req.name());
    return jobs.locked(PluginType.PORTABLES, req.name(), () -> installer.planCreate(req, act));
  }

  @Override
  public DryRun planUpdate(String name, String body, Act act) {
    InstallRequest named = updateRequest(name, body, act);
    return jobs.locked(
        PluginType.PORTABLES, name, () -> installer.planUpdate(named, installed(name), act));
  }

  @Override
  public DryRun planDrop(String name, Act act) {
    act.plugin(PluginType.PORTABLES.word(), name);
    Ids.validate(name);
    DryRun plan =
        jobs.locked(
            PluginType.PORTABLES,
            name,
            () -> {
              InstalledPlugin p =
                  store.find(PluginType.PORTABLES, name).orElseThrow(() -> notInstalled(name));
              return PluginRemover.plan(
                  tools.home(),
                  p,
                  DryRun.symbolsOf(store.portables().get(name)),
                  false,
                  "its process would be stopped; started symbols keep running until their rules stop");
            });
    return plan;
  }

  /** eKuiper's 404 for a delete of a portable plugin that is not installed. */
  private static PluginException notInstalled(String name) {
    return PluginException.notFound(
        "delete portable plugin " + name + " error: portable plugin " + name + " is not found");
  }

  /** Stops the process and removes files and row; started symbols keep their channels (A1). */
  public String drop(String name, Act act) {
    act.plugin(PluginType.PORTABLES.word(), name);
    Ids.validate(name);
    return jobs.locked(
        PluginType.PORTABLES,
        name,
        () -> {
          new PluginRemover(tools.home(), store, tools.pauses())
              .drop(jobs, PluginType.PORTABLES, name, () -> supervisor.stop(name), act)
              .orElseThrow(() -> notInstalled(name));
          return "portable plugin " + name + " is deleted";
        });
  }
}
