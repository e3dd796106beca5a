package dev.kpm.install;

import dev.kpm.audit.Act;
import dev.kpm.fleet.FleetLedger;
import dev.kpm.install.download.Download;
import dev.kpm.install.layout.InstallRequest;
import dev.kpm.install.staging.Staging;
import dev.kpm.persistence.CommitOutcomeUnknownException;
import dev.kpm.persistence.DatabaseUnavailableException;
import dev.kpm.plugin.InstallLog;
import dev.kpm.plugin.InstallOperation;
import dev.kpm.plugin.InstallRecords;
import dev.kpm.plugin.InstallState;
import dev.kpm.plugin.NewPlugin;
import dev.kpm.plugin.PluginType;
import dev.kpm.process.ScriptResult;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * What one install attempt has gathered so far: its record, staging, download, script log and move
 * plan. The staging folder is removed at the end unless the database could not learn how the
 * attempt ended: then it is kept, with the record still RUNNING, for {@link Jobs} (or the next
 * start's reconcile) to settle once the database answers.
 */
final class Attempt {
  private static final Logger LOG = Logger.getLogger(Attempt.class.getName());
  final long recordId;
  final Staging staging;
  private final InstallTools tools;
  private final InstallRecords records;
  private final PluginType type;
  private final String name;
  private final InstallRequest req;
  Download download;
  ScriptResult script;
  private List<String> manifest = List.of();
  private boolean unsettled;

  /** The output of a portable plugin's process whose first start failed. */
  private String processOutput;

  /** Applying the fleet's state: the architecture this node's native files must have; else null. */
  String fleetArch;

  /**
   * Applying the fleet's state: the archive fetched and extracted ahead, in this staging; or null.
   */
  NativeInstaller.Prestaged prestaged;

  /** A dry run: nothing is recorded, install.sh is not run. */
  boolean dry;

  /** Whether the archive has an install.sh that a dry run did not run. */
  boolean scriptSkipped;

  /** What the compatibility check found of a native plugin's .so, when installs are checked. */
  java.util.Optional<EngineCheck.Finding> compat = java.util.Optional.empty();

  private final Act act;

  private Attempt(
      long recordId,
      Staging staging,
      InstallTools tools,
      InstallRecords records,
      PluginType type,
      InstallRequest req,
      Act act) {
    this.act = act;
    this.recordId = recordId;
    this.staging = staging;
    this.tools = tools;
    this.records = records;
    this.type = type;
    this.name = req.name();
    this.req = req;
  }

  /**
   * One install attempt of either kind: records it, gives it a fresh staging folder, downloads into
   * it, runs {@code work}, records a failure with what was gathered, and removes the staging folder
   * unless the attempt is left unsettled.
   */
  /**
   * What an attempt does: a {@code op} of plugin {@code req.name()} of {@code type}, from {@code
   * uri}, its error texts starting with {@code prefix}.
   */
  record Spec(
      PluginType type,
      InstallRequest req,
      URI uri,
      InstallOperation op,
      String prefix,
      Act act,
      boolean dry,
      Fleet fleet) {
    Spec(
        PluginType type, InstallRequest req, URI uri, InstallOperation op, String prefix, Act act) {
      this(type, req, uri, op, prefix, act, false, null);
    }

    Spec(
        PluginType type,
        InstallRequest req,
        URI uri,
        InstallOperation op,
        String prefix,
        Act act,
        boolean dry) {
      this(type, req, uri, op, prefix, act, dry, null);
    }
  }

  /**
   * An attempt of this node applying the fleet's desired state to its home: the archive comes from
   * {@code fetch} (the database), not the URL, and a native file built for another architecture
   * than {@code arch} makes the plugin incompatible here.
   */
  record Fleet(Fetch fetch, String arch, NativeInstaller.Prestaged prestaged) {
    Fleet(Fetch fetch, String arch) {
      this(fetch, arch, null);
    }
  }

  /** Writes the plugin's archive into the staging folder's download file. */
  interface Fetch {
    Download into(Path file) throws java.io.IOException;
  }

  static void run(InstallTools tools, InstallRecords records, Spec spec, Consumer<Attempt> work) {
    PluginType type = spec.type();
    InstallRequest req = spec.req();
    // An asynchronous request queued its job with a record and staging folder already.
    Optional<LiveJob> queued =
        JobBoard.current()
            .filter(j -> !spec.dry() && j.staging != null && j.name.equals(req.name()));
    Staging staging;
    long id;
    if (queued.isPresent()) {
      staging = queued.get().staging;
      id = queued.get().id;
      queued.get().markAttempted();
    } else if (spec.fleet() != null && spec.fleet().prestaged() != null) {
      staging = spec.fleet().prestaged().staging();
      id = begin(tools, records, spec, staging);
    } else {
      Path root = tools.home().staging().resolve(UUID.randomUUID().toString());
      staging = Checks.io(() -> Staging.create(root, tools.home().base()));
      id = begin(tools, records, spec, staging);
    }
    Attempt a = new Attempt(id, staging, tools, records, type, req, spec.act());
    a.dry = spec.dry();
    try {
      if (!a.dry) {
        JobBoard.current().ifPresent(j -> j.downloading(staging.download()));
      }
      a.fleetArch = spec.fleet() == null ? null : spec.fleet().arch();
      a.prestaged = spec.fleet() == null ? null : spec.fleet().prestaged();
      a.download =
          a.prestaged != null
              ? a.prestaged.download()
              : spec.fleet() != null
                  ? Checks.io(() -> spec.fleet().fetch().into(staging.download()))
                  : Checks.download(tools.downloader(), spec.uri(), req, staging, spec.prefix());
      if (!a.dry) {
        JobBoard.current().ifPresent(j -> j.downloaded(a.download.bytes()));
      }
      a.phase(LiveJob.VERIFYING);
      spec.act().artifact(a.download.sha256());
      if (spec.fleet() == null) {
        a.startStoring();
      }
      work.accept(a);
      if (a.storing != null) {
        a.storing.committed();
      }
    } catch (RuntimeException e) {
      a.failed(e);
      throw e;
    } finally {
      a.stopStoring();
      if (!a.unsettled) {
        staging.delete();
      }
    }
  }

  /**
   * Records the attempt (a dry run records nothing) with {@code staging} as its folder and opens
   * its job; the staging folder is removed when that fails.
   */
  private static long begin(
      InstallTools tools, InstallRecords records, Spec spec, Staging staging) {
    PluginType type = spec.type();
    InstallRequest req = spec.req();
    Path root = staging.root();
    long id;
    try {
      // A dry run leaves no install record: it changes nothing, the database included.
      id =
          spec.dry()
              ? -1
              : records.begin(type, req.name(), spec.op(), req.file(), root, spec.fleet() != null);
    } catch (CommitOutcomeUnknownException e) {
      // The record may exist, RUNNING, and would refuse every later install of the plugin.
      tools.jobs().settleLater(type, req.name(), () -> abandon(records, root, staging));
      throw e;
    } catch (RuntimeException e) {
      staging.delete();
      throw e;
    }
    if (!spec.dry()) {
      LiveJob job =
          tools
              .jobs()
              .board()
              .open(id, type, req.name(), spec.op(), spec.act().actor().subject(), null);
      JobBoard.current(job);
      job.runsOn(Thread.currentThread());
    }
    return id;
  }

  private static void abandon(InstallRecords records, Path root, Staging staging) {
    records.abortRunning(root, "the database connection failed while the install was recorded");
    staging.delete();
  }

  /** Stores the planned moves; called before the first move into the home folder. */
  void plan(List<String> moves) {
    records.plan(recordId, moves);
    manifest = List.copyOf(moves);
  }

  /**
   * The commit's outcome is unknown: the files stay as they are; once the database answers, a
   * record still RUNNING means the commit did not happen, so the moves are undone and {@code
   * rolledBack} runs, while a SUCCEEDED one means it did.
   */
  void inDoubt(Runnable rolledBack) {
    settleLater("the database connection failed during the commit", rolledBack);
  }

  /** Reports a phase of this attempt's job (a dry run has none). */
  void phase(String phase) {
    if (!dry) {
      JobBoard.phase(phase);
    }
  }

  private void failed(RuntimeException e) {
    if (unsettled || dry) {
      return;
    }
    String error =
        JobBoard.current()
            .filter(LiveJob::cancelled)
            .map(j -> j.cancelledError().getMessage())
            .orElse(e.getMessage());
    try {
      records.fail(recordId, error, log());
    } catch (DatabaseUnavailableException dbDown) {
      settleLater(e.getMessage(), () -> {});
    }
  }

  private void settleLater(String error, Runnable rolledBack) {
    unsettled = true;
    List<String> moves = manifest;
    InstallLog log = log();
    LOG.warning(
        () ->
            "install of "
                + type.word()
                + " "
                + name
                + " waits for the database to settle it; its staging folder "
                + staging.root()
                + " is kept until then");
    tools
        .jobs()
        .settleLater(
            type,
            name,
            () -> {
              if (records.state(recordId) == InstallState.RUNNING) {
                Checks.act(() -> staging.undo(moves));
                rolledBack.run();
                records.fail(recordId, error, log);
              }
              staging.delete();
            });
  }

  /** Where the plugin came from, as the registry records it. */
  NewPlugin.Source source() {
    return new NewPlugin.Source(req.file(), download.sha256(), req.shellParas());
  }

  /** The audit record of the change this attempt makes. */
  Act act() {
    return act;
  }

  Path zip() {
    return download.file();
  }

  /** The archive being stored for the fleet while the install goes on; null when none is. */
  private ArchiveUpload storing;

  /**
   * Starts storing the downloaded archive for the fleet (not for a dry run, nor without a store). A
   * large native archive is announced once stored, and the other nodes stage it ahead; when any is
   * live, this install waits for the store before it extracts (job phase {@code storing}; test
   * pause point {@code stored}): alongside, the store would share this node's CPU with the
   * extraction and the announcement would come seconds later; the work is the same, only its order
   * changes.
   */
  private void startStoring() {
    if (tools.artifacts() == null || dry) {
      return;
    }
    FleetLedger.Notice notice =
        type.isNative() && download.bytes() >= FleetPrestage.MIN_BYTES
            ? new FleetLedger.Notice(true, type, download.sha256(), records.nodeId(), name)
            : null;
    boolean first = notice != null && othersLive();
    if (first) {
      phase(LiveJob.STORING);
    }
    storing = ArchiveUpload.start(tools.artifacts(), download.file(), download.sha256(), notice);
    if (first) {
      storing.awaitInterruptibly();
      tools.pauses().at("stored", name);
    }
  }

  /** Whether another node is live; no when that cannot be told (the store will say why). */
  private boolean othersLive() {
    try {
      return tools.othersLive().getAsBoolean();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Waits until the archive is stored, before the change commits, so that every other node can
   * install it without the URL. An archive whose install fails instead stays unreferenced until the
   * garbage collection removes it; no node installs it.
   */
  void storeArtifact() {
    if (storing != null) {
      storing.await();
    }
  }

  /**
   * Stops a store still running for an attempt that will not commit, and waits for it; tells the
   * other nodes to drop what they staged of an announced archive whose change did not commit.
   */
  private void stopStoring() {
    if (storing != null) {
      storing.cancel();
      storing.dropAnnounced();
    }
  }

  /** Keeps the output of a process whose start failed, for the record and the job. */
  void processOutput(String output) {
    if (output == null || output.isEmpty()) {
      return;
    }
    processOutput = output;
    JobBoard.current().ifPresent(j -> j.output(output.stripTrailing()));
  }

  InstallLog log() {
    return new InstallLog(
        download == null ? null : download.bytes(),
        download == null ? null : download.sha256(),
        script == null ? null : script.exitCode(),
        script == null ? processOutput : script.stdoutTail(),
        script == null ? null : script.stderrTail());
  }
}
