package dev.kpm.install;

import dev.kpm.audit.Act;
import dev.kpm.audit.AuditAction;
import dev.kpm.audit.AuditEvent;
import dev.kpm.audit.AuditTrail;
import dev.kpm.fleet.ArtifactStore;
import dev.kpm.fleet.NodeStates;
import dev.kpm.install.layout.InstallRequest;
import dev.kpm.persistence.DatabaseUnavailableException;
import dev.kpm.plugin.InstallLog;
import dev.kpm.plugin.InstallRecords;
import dev.kpm.plugin.PluginType;
import dev.kpm.portable.PortableSupervisor;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Brings one plugin of this node's home to the fleet's desired state: installs it from the archive
 * stored in the database with the install pipeline (staging, checks, install.sh, moves, process
 * start), or removes it; then records this node's state of it ({@code node_plugin}) with an audit
 * event. Holds the plugin's lock while it works, as an API change does.
 */
final class FleetApply {
  private static final Logger LOG = Logger.getLogger(FleetApply.class.getName());

  /** Commits this node's applied state with the attempt's record, in one transaction. */
  interface Commit {
    void applied(long recordId, InstallLog log, String version, List<String> files);
  }

  /** How one plugin ended on this node. */
  enum Outcome {
    APPLIED,
    FAILED,
    INCOMPATIBLE,
    REMOVED,
    UNCHANGED
  }

  private final InstallTools tools;
  private final InstallRecords records;
  private final NodeStates states;
  private final ArtifactStore artifacts;
  private final AuditTrail audit;
  private final PortableSupervisor supervisor;
  private final NativeInstaller natives;
  private final PortableInstaller portables;
  private final String arch;
  private final Consumer<AuditEvent> announce;
  private final FleetPrestage prestage;

  FleetApply(Convergence.Node node, Consumer<AuditEvent> announce) {
    this.tools = node.tools();
    this.records = node.records();
    this.states = node.states();
    this.artifacts = node.artifacts();
    this.audit = node.audit();
    this.supervisor = node.supervisor();
    this.natives = new NativeInstaller(node.tools(), node.store(), node.records());
    this.portables =
        new PortableInstaller(node.tools(), node.store(), node.records(), node.supervisor());
    this.arch = node.arch();
    this.announce = announce;
    this.prestage = new FleetPrestage(states, artifacts, natives, tools.home());
  }

  /** The archives this node stages ahead of their commit. */
  FleetPrestage prestage() {
    return prestage;
  }

  dev.kpm.plugin.HomeLayout home() {
    return tools.home();
  }

  /**
   * Installs or updates plugin {@code name} of {@code type} here as the fleet wants it now (read
   * under the plugin's lock), unless it needs nothing any more.
   */
  Outcome apply(PluginType type, String name, boolean retry) {
    return tools
        .jobs()
        .locked(
            type,
            name,
            () -> {
              NodeStates.Target now = states.target(type, name);
              Optional<NodeStates.Desired> wanted =
                  now.desired().filter(w -> !w.autoLoaded() && w.sha256() != null);
              if (wanted.isEmpty()) {
                return Outcome.UNCHANGED; // changed meanwhile: the next pass sees the new state
              }
              NodeStates.Desired d = wanted.get();
              Optional<NodeStates.Held> mine = now.mine();
              if (!Convergence.needsApply(d.sha256(), mine.map(NodeStates.Held::mark), retry)) {
                return Outcome.UNCHANGED;
              }
              if (mine.isEmpty() && adoptable(d)) {
                adopt(d);
                return Outcome.UNCHANGED;
              }
              return applyLocked(d, mine);
            });
  }

  /**
   * A plugin installed before nodes recorded what they applied (no node has a row of it) whose
   * files are all in this home: this node has it already.
   */
  private boolean adoptable(NodeStates.Desired d) {
    return !d.files().isEmpty()
        && d.files().stream().allMatch(f -> Files.exists(home().base().resolve(f)))
        && !states.anyHeld(d.type(), d.name());
  }

  private void adopt(NodeStates.Desired d) {
    states.inTransaction(
        em ->
            states.writeIn(
                em,
                d.type(),
                d.name(),
                NodeStates.State.APPLIED,
                d.version(),
                d.sha256(),
                d.files()));
    LOG.info(() -> "fleet: " + d.key() + " was installed here before the fleet recorded it");
  }

  private Outcome applyLocked(NodeStates.Desired d, Optional<NodeStates.Held> mine) {
    // Without a row of its own (a node forgotten while it was down, its rows gone with it), the
    // files of the plugin already in this home are the ones an update replaces.
    List<String> held =
        mine.filter(h -> h.state() != NodeStates.State.REMOVED)
            .map(NodeStates.Held::files)
            .orElseGet(
                () ->
                    d.files().stream()
                        .filter(f -> Files.exists(tools.home().base().resolve(f)))
                        .toList());
    InstallRequest req =
        new InstallRequest(
            d.name(),
            d.sourceUrl() == null ? "" : d.sourceUrl(),
            d.shellParas(),
            Optional.empty(),
            Optional.of(d.sha256()));
    Attempt.Fleet fleet =
        new Attempt.Fleet(
            file -> FleetPrestage.fetch(artifacts, d.sha256(), file),
            arch,
            d.type().isNative()
                ? prestage.take(d.type(), d.name(), d.sha256(), held).orElse(null)
                : null);
    Act act =
        Act.system(AuditAction.FLEET_APPLY)
            .plugin(d.type().word(), d.name())
            .source(d.sourceUrl())
            .artifact(d.sha256())
            .versionBefore(mine.map(NodeStates.Held::version).orElse(null))
            .versionAfter(d.version())
            .detail("node " + states.nodeId() + " applied the fleet's desired state");
    AuditEvent[] event = new AuditEvent[1];
    Commit commit =
        (recordId, log, version, files) ->
            records.succeed(
                recordId,
                log,
                em -> {
                  states.writeIn(
                      em, d.type(), d.name(), NodeStates.State.APPLIED, version, d.sha256(), files);
                  event[0] = act.succeeded();
                  audit.append(em, event[0]);
                });
    try {
      if (d.type() == PluginType.PORTABLES) {
        portables.apply(req, held, fleet, act, commit);
      } else {
        natives.apply(d.type(), req, held, fleet, act, commit);
      }
      act.recorded();
      announce.accept(event[0]);
      return Outcome.APPLIED;
    } catch (Incompatible e) {
      states.record(d, NodeStates.State.INCOMPATIBLE, e.getMessage(), null);
      LOG.info(() -> "fleet: " + d.key() + " is incompatible with this node: " + e.getMessage());
      return Outcome.INCOMPATIBLE;
    } catch (DatabaseUnavailableException e) {
      throw e;
    } catch (RuntimeException e) {
      String output = records.lastOutput(d.type(), d.name());
      states.record(d, NodeStates.State.FAILED, e.getMessage(), output);
      audit.record(act.ended(500, e.getMessage()));
      LOG.warning(() -> "fleet: applying " + d.key() + " failed on this node: " + e.getMessage());
      return Outcome.FAILED;
    }
  }

  /** Removes a plugin that left the desired state from this home, unless it came back meanwhile. */
  Outcome remove(PluginType type, String name) {
    return tools
        .jobs()
        .locked(
            type,
            name,
            () -> {
              NodeStates.Target target = states.target(type, name);
              if (target.desired().isPresent()) {
                return Outcome.UNCHANGED;
              }
              Optional<NodeStates.Held> now = target.mine();
              if (now.isEmpty() || now.get().state() == NodeStates.State.REMOVED) {
                return Outcome.UNCHANGED;
              }
              if (type == PluginType.PORTABLES) {
                supervisor.stop(name);
              }
              Checks.act(() -> PluginRemover.removeFiles(tools.home(), now.get().files()));
              Act act =
                  Act.system(AuditAction.FLEET_REMOVE)
                      .plugin(type.word(), name)
                      .versionBefore(now.get().version())
                      .detail("node " + states.nodeId() + " removed it: the fleet dropped it");
              AuditEvent[] event = new AuditEvent[1];
              states.inTransaction(
                  em -> {
                    states.writeIn(em, type, name, NodeStates.State.REMOVED, null, null, List.of());
                    event[0] = act.succeeded();
                    audit.append(em, event[0]);
                  });
              act.recorded();
              announce.accept(event[0]);
              return Outcome.REMOVED;
            });
  }
}
