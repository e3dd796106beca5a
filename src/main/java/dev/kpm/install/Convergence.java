package dev.kpm.install;

import dev.kpm.audit.AuditEvent;
import dev.kpm.audit.AuditTrail;
import dev.kpm.fleet.ArtifactStore;
import dev.kpm.fleet.FleetSignal;
import dev.kpm.fleet.NodeStates;
import dev.kpm.persistence.DatabaseUnavailableException;
import dev.kpm.plugin.InstallRecords;
import dev.kpm.plugin.PluginStore;
import dev.kpm.portable.PortableSupervisor;
import dev.kpm.threads.NamedThreads;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This node converging to the fleet's desired state (docs/architecture.md "Fleet"): a pass compares
 * the desired plugins with what this node applied ({@code node_plugin}) and installs, updates or
 * removes what differs, one plugin at a time on the thread {@code kpm-converge}. A pass runs at
 * start, on every change another node announces, on the backstop tick when the fleet's generation
 * moved, and when asked ({@code POST /fleet/nodes/{id}/reconcile}, failures retried). A plugin that
 * failed or is incompatible here is not retried until its desired state changes or a reconcile is
 * asked. Until its first pass has finished the node is not ready.
 */
public final class Convergence implements FleetSignal.Listener, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Convergence.class.getName());
  private static final Duration STOP_WAIT = Duration.ofSeconds(10);

  private final NodeStates states;
  private final FleetApply apply;
  private final Runnable reload;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(NamedThreads.of("kpm-converge"));
  private final AtomicBoolean queued = new AtomicBoolean();
  private volatile boolean retryAsked;
  private volatile boolean converged;
  private volatile long generation = -1;
  private volatile boolean failing;
  private volatile Runnable afterFirstPass = () -> {};

  /**
   * Counted down once the first pass has finished, failed, or found work to do: what the node's
   * start waits for, so a node with nothing to apply is ready when it starts serving.
   */
  private final java.util.concurrent.CountDownLatch firstDecision =
      new java.util.concurrent.CountDownLatch(1);

  private final ArtifactStore artifacts;
  private final Duration artifactGrace;
  private volatile long lastCollection = System.nanoTime();

  /**
   * What converging needs of this node: its install pipeline, registry, records and portable host,
   * the fleet's states and stored archives, the audit trail, and the architecture its native files
   * must have.
   */
  public record Node(
      InstallTools tools,
      PluginStore store,
      InstallRecords records,
      PortableSupervisor supervisor,
      NodeStates states,
      ArtifactStore artifacts,
      AuditTrail audit,
      String arch) {}

  /**
   * @param artifactGrace how long unreferenced archives are kept; the collection runs at most once
   *     per grace
   * @param reload makes this node's reads see the desired state as it is now (the registry cache)
   * @param announce hears every apply and removal, after its commit (the event stream)
   */
  public Convergence(
      Node node, Duration artifactGrace, Runnable reload, Consumer<AuditEvent> announce) {
    this.artifacts = node.artifacts();
    this.artifactGrace = artifactGrace;
    this.states = node.states();
    this.reload = reload;
    this.apply = new FleetApply(node, announce);
  }

  /** Runs {@code work} once, on the convergence's thread, right after the first pass. */
  public void afterFirstPass(Runnable work) {
    this.afterFirstPass = work;
  }

  /**
   * Starts the first pass and waits (at most {@code max}) until it has finished, failed, or begun
   * to apply something: a node with nothing to catch up with is ready at once; one with work serves
   * meanwhile, answering {@code /ready} with 503 until it is done.
   */
  public void startFirstPass(Duration max) {
    changed(false);
    try {
      firstDecision.await(max.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether the first pass has finished: until then the node is behind the fleet. */
  public boolean converged() {
    return converged;
  }

  @Override
  public void changed(boolean retry) {
    if (retry) {
      retryAsked = true;
    }
    schedule();
  }

  @Override
  public void notice(dev.kpm.fleet.FleetLedger.Notice notice) {
    apply.prestage().notice(notice);
  }

  @Override
  public void tick() {
    apply.prestage().sweep();
    try {
      if (!converged || states.generation() != generation) {
        schedule();
      }
    } catch (DatabaseUnavailableException e) {
      LOG.log(Level.FINE, "fleet: the generation could not be read", e);
    }
    if (System.nanoTime() - lastCollection >= artifactGrace.toNanos()) {
      lastCollection = System.nanoTime();
      try {
        worker.execute(this::collect);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // stopping
      }
    }
  }

  /**
   * Deletes the archives no plugin and no node refers to any more, stored longer ago than the
   * grace: on one node at a time, the others skip (docs/architecture.md "Fleet").
   */
  private void collect() {
    try {
      artifacts.collectGarbage(artifactGrace);
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "fleet: the artifact collection did not run", e);
    }
  }

  private void schedule() {
    if (queued.compareAndSet(false, true)) {
      try {
        worker.execute(this::run);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        queued.set(false); // stopping
      }
    }
  }

  private void run() {
    queued.set(false);
    boolean retry = retryAsked;
    retryAsked = false;
    try {
      pass(retry);
      if (failing) {
        failing = false;
        LOG.info("fleet: this node converges again");
      }
    } catch (RuntimeException e) {
      firstDecision.countDown();
      if (retry) {
        retryAsked = true;
      }
      if (!failing) {
        failing = true;
        LOG.log(
            Level.WARNING,
            "fleet: a convergence pass failed; the next tick tries again (logged once until one"
                + " works): "
                + e,
            e);
      }
    }
  }

  /**
   * One pass: every difference between the desired state and this node's, in order. It compares
   * digests only; a plugin it acts on is read whole, under its lock, by {@link FleetApply}.
   */
  private synchronized void pass(boolean retry) {
    reload.run();
    NodeStates.Outline outline = states.outline();
    boolean changed = false;
    for (NodeStates.Wanted d : outline.desired().values()) {
      Optional<NodeStates.Mark> m = Optional.ofNullable(outline.mine().get(d.key()));
      if (d.autoLoaded() || d.sha256() == null) {
        continue; // found on one node's disk: that node's own, with no archive to copy
      }
      if (needsApply(d.sha256(), m, retry)) {
        firstDecision.countDown();
        changed |= apply.apply(d.type(), d.name(), retry) != FleetApply.Outcome.UNCHANGED;
      }
    }
    for (NodeStates.Mark h : outline.mine().values()) {
      if (h.state() != NodeStates.State.REMOVED && !outline.desired().containsKey(h.key())) {
        firstDecision.countDown();
        changed |= apply.remove(h.type(), h.name()) != FleetApply.Outcome.UNCHANGED;
      }
    }
    long seen = outline.generation();
    states.converged(seen);
    generation = seen;
    boolean first = !converged;
    converged = true;
    firstDecision.countDown();
    if (changed) {
      reload.run();
    }
    if (first) {
      Runnable once = afterFirstPass;
      afterFirstPass = () -> {};
      once.run();
    }
  }

  /**
   * Whether this node must (re)install the desired plugin of digest {@code sha256}: not applied at
   * that digest, or asked again.
   */
  static boolean needsApply(String sha256, Optional<NodeStates.Mark> mine, boolean retry) {
    if (mine.isEmpty() || !sha256.equals(mine.get().sha256())) {
      return true;
    }
    return switch (mine.get().state()) {
      case APPLIED -> false;
      case FAILED, INCOMPATIBLE -> retry;
      case PENDING, REMOVED -> true;
    };
  }

  @Override
  public void close() {
    apply.prestage().close();
    worker.shutdownNow();
    try {
      worker.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
