package dev.kpm.install;

import dev.kpm.audit.Act;
import dev.kpm.audit.AuditTrail;
import dev.kpm.install.staging.Staging;
import dev.kpm.plugin.InstallLog;
import dev.kpm.plugin.InstallOperation;
import dev.kpm.plugin.InstallRecords;
import dev.kpm.plugin.InstallState;
import dev.kpm.plugin.PluginException;
import dev.kpm.plugin.PluginType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Install jobs (docs/api.md §8.15): queues the changes of asynchronous requests ({@code Prefer:
 * respond-async}), and shows and cancels every create and update — a job is its install record,
 * with the live phase, progress and output while kpm runs it. Thread-safe.
 */
public final class JobService implements JobControl {
  /** How long a cancel waits for the job to end before answering. */
  static final Duration CANCEL_WAIT = Duration.ofSeconds(30);

  private static final Logger LOG = Logger.getLogger(JobService.class.getName());
  private final InstallTools tools;
  private final InstallRecords records;
  private final AuditTrail audit;

  public JobService(InstallTools tools, InstallRecords records, AuditTrail audit) {
    this.tools = tools;
    this.records = records;
    this.audit = audit;
  }

  /**
   * Records a job for a change and runs it in the background: the record and its staging folder
   * exist before this returns, so a restart of kpm ends the job as failed and rolls it back.
   *
   * @throws PluginException 400 when another install of the plugin is in progress
   */
  JobView queue(
      PluginType type,
      String name,
      InstallOperation op,
      String url,
      Act act,
      Supplier<String> work) {
    Path root = tools.home().staging().resolve(UUID.randomUUID().toString());
    Staging staging = Checks.io(() -> Staging.create(root, tools.home().base()));
    long id;
    try {
      id = records.begin(type, name, op, url, root);
    } catch (RuntimeException e) {
      staging.delete();
      throw e;
    }
    LiveJob job = tools.jobs().board().open(id, type, name, op, act.actor().subject(), staging);
    act.defer();
    try {
      tools.jobs().submit(job, work, () -> ended(job, act));
    } catch (RuntimeException e) {
      act.undefer();
      job.ended(400, e.getMessage());
      records.fail(id, e.getMessage(), InstallLog.EMPTY);
      staging.delete();
      throw e;
    }
    return job.view();
  }

  /** After a queued job: what its attempt did not finish, and its audit event. */
  private void ended(LiveJob job, Act act) {
    JobView v = job.view();
    try {
      if (!job.attempted()) {
        // Refused before its attempt ran (a duplicate, a taken function name, a cancel).
        if (records.state(job.id) == InstallState.RUNNING) {
          records.fail(job.id, v.text(), InstallLog.EMPTY);
        }
        job.staging.delete();
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cannot close the record of job " + job.id, e);
    }
    int status = v.status() == null ? 500 : v.status();
    audit.finishDeferred(act, status, status < 300 ? null : v.text());
  }

  /** Who hears of every job's phase changes and end (the lifecycle events); must not block. */
  public void onChange(java.util.function.Consumer<JobView> listener) {
    tools.jobs().board().onChange(listener);
  }

  @Override
  public JobView job(long id) {
    return tools
        .jobs()
        .board()
        .get(id)
        .map(LiveJob::view)
        .orElseGet(
            () ->
                records
                    .job(id)
                    .map(JobService::fromRecord)
                    .orElseThrow(() -> PluginException.notFound("job " + id + " not found")));
  }

  @Override
  public List<JobView> jobs(String state, int limit) {
    InstallState wanted = state(state);
    if (limit < 1 || limit > 1000) {
      throw PluginException.invalid("invalid limit " + limit + ": expected 1 to 1000");
    }
    Map<Long, JobView> out = new LinkedHashMap<>();
    for (InstallRecords.JobRow row : records.recent(wanted, limit)) {
      out.put(
          row.id(), tools.jobs().board().get(row.id()).map(LiveJob::view).orElse(fromRecord(row)));
    }
    List<JobView> list = new ArrayList<>(out.values());
    if (state != null) {
      list.removeIf(v -> !v.state().equals(state));
    }
    return list;
  }

  private static InstallState state(String state) {
    if (state == null) {
      return null;
    }
    return switch (state) {
      case "running" -> InstallState.RUNNING;
      case "succeeded" -> InstallState.SUCCEEDED;
      case "failed" -> InstallState.FAILED;
      default ->
          throw PluginException.invalid(
              "invalid state "
                  + (state.length() > 40 ? state.substring(0, 40) + "…" : state)
                  + ": expected running, succeeded or failed");
    };
  }

  @Override
  public JobView cancel(long id, Act act) {
    LiveJob job =
        tools
            .jobs()
            .board()
            .get(id)
            .orElseThrow(
                () ->
                    records.job(id).isPresent()
                        ? PluginException.conflict("cannot cancel job " + id + ": it has ended")
                        : PluginException.notFound("job " + id + " not found"));
    act.plugin(job.type.word(), job.name).detail("job " + id);
    job.cancel(act.actor().subject());
    job.awaitEnd(CANCEL_WAIT);
    return job.view();
  }

  /** A job kpm no longer holds in memory, from its install record. */
  static JobView fromRecord(InstallRecords.JobRow r) {
    boolean ok = r.state() == InstallState.SUCCEEDED;
    boolean running = r.state() == InstallState.RUNNING;
    String op = r.operation().name().toLowerCase(Locale.ROOT);
    return new JobView(
        r.id(),
        r.type().word(),
        r.name(),
        op,
        running ? "running" : ok ? "succeeded" : "failed",
        running ? null : ok ? LiveJob.DONE : LiveJob.FAILED,
        r.bytes(),
        null,
        joinOutput(r.stdout(), r.stderr()),
        null,
        r.startedAt().toString(),
        r.durationMs() == null ? null : r.startedAt().plusMillis(r.durationMs()).toString(),
        running ? null : ok ? successStatus(r.operation()) : 400,
        running ? null : ok ? successText(r.type(), r.name(), r.operation()) : r.error());
  }

  private static Integer successStatus(InstallOperation op) {
    return switch (op) {
      case CREATE -> 201;
      case UPDATE -> 200;
      default -> null;
    };
  }

  /** The text the synchronous call answered on success. */
  static String successText(PluginType type, String name, InstallOperation op) {
    if (op == InstallOperation.CREATE) {
      return type == PluginType.PORTABLES
          ? "portable plugin " + name + " is created"
          : type.word() + " plugin " + name + " is created";
    }
    if (op == InstallOperation.UPDATE) {
      return type == PluginType.PORTABLES
          ? "portable plugin " + name + " is updated"
          : "plugin "
              + name
              + " is updated and eKuiper must restart for the change to take effect.";
    }
    return null;
  }

  private static String joinOutput(String stdout, String stderr) {
    String out = (stdout == null ? "" : stdout) + (stderr == null ? "" : stderr);
    return out.isEmpty() ? null : out;
  }
}
