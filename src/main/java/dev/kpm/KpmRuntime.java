package dev.kpm;

import dev.kpm.api.ConsoleAssets;
import dev.kpm.api.FastReads;
import dev.kpm.api.SecurityFilter;
import dev.kpm.audit.Act;
import dev.kpm.audit.ActListener;
import dev.kpm.audit.AuditAction;
import dev.kpm.audit.AuditEvent;
import dev.kpm.audit.AuditTrail;
import dev.kpm.compat.GoBinary;
import dev.kpm.events.EventBus;
import dev.kpm.fleet.ArtifactStore;
import dev.kpm.fleet.FleetLedger;
import dev.kpm.fleet.FleetSignal;
import dev.kpm.fleet.NodeDirectory;
import dev.kpm.fleet.NodeInfo;
import dev.kpm.fleet.NodeRegistry;
import dev.kpm.fleet.NodeStates;
import dev.kpm.fleet.ProcessSnapshots;
import dev.kpm.install.CompatService;
import dev.kpm.install.Convergence;
import dev.kpm.install.DataTransfer;
import dev.kpm.install.EngineCheck;
import dev.kpm.install.InitRuleset;
import dev.kpm.install.InstallService;
import dev.kpm.install.InstallTools;
import dev.kpm.install.JobService;
import dev.kpm.install.Pauses;
import dev.kpm.install.PortableService;
import dev.kpm.install.Reconciler;
import dev.kpm.install.ServerControl;
import dev.kpm.install.archive.ArchiveLimits;
import dev.kpm.install.download.DownloadPolicy;
import dev.kpm.install.download.Downloader;
import dev.kpm.metrics.KpmMetrics;
import dev.kpm.persistence.Database;
import dev.kpm.persistence.Jpa;
import dev.kpm.persistence.Migrations;
import dev.kpm.persistence.Transactions;
import dev.kpm.plugin.HomeLayout;
import dev.kpm.plugin.InstallRecords;
import dev.kpm.plugin.PluginService;
import dev.kpm.plugin.PluginStore;
import dev.kpm.plugin.PluginType;
import dev.kpm.plugin.Prebuild;
import dev.kpm.plugin.PrebuildChecks;
import dev.kpm.plugin.RegistryCache;
import dev.kpm.portable.HostEvents;
import dev.kpm.portable.PortableRuntime;
import dev.kpm.portable.PortableSettings;
import dev.kpm.portable.PortableSupervisor;
import dev.kpm.portable.ProcessState;
import dev.kpm.process.Children;
import dev.kpm.security.ApiTokens;
import dev.kpm.security.AuthMethod;
import dev.kpm.security.Authenticator;
import dev.kpm.security.ClientAddresses;
import dev.kpm.security.FailureLimiter;
import dev.kpm.security.SecurityPolicy;
import dev.kpm.threads.NamedThreads;
import dev.kpm.upload.Uploads;
import jakarta.persistence.EntityManagerFactory;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * Everything kpm runs, started in order — home folders → database pool → migrations →
 * EntityManagerFactory → executor → start-up reconcile → services — and stopped in reverse by
 * {@link #close()}. The container-independent half of {@link Bootstrap}; tests start it directly.
 */
public final class KpmRuntime implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(KpmRuntime.class.getName());

  /** Lifecycle events kept for reconnecting clients (docs/api.md §8.16). */
  static final int EVENT_BUFFER = 1000;

  private final Teardown teardown;
  private final Services services;
  private final SecurityPolicy security;
  private final AuditTrail audit;
  private final KpmMetrics metrics;
  private final AtomicBoolean stopped = new AtomicBoolean();

  private KpmRuntime(
      Teardown teardown,
      Services services,
      SecurityPolicy security,
      AuditTrail audit,
      KpmMetrics metrics) {
    this.audit = audit;
    this.metrics = metrics;
    this.teardown = teardown;
    this.services = services;
    this.security = security;
  }

  /**
   * Starts kpm; on failure stops what was already started and rethrows.
   *
   * @param server how {@code ?stop=1} stops kpm when it does not own the JVM
   */
  public static KpmRuntime start(Settings settings, ServerControl server) {
    Teardown teardown = new Teardown();
    try {
      return startAll(settings, teardown, settings.ownsJvm() ? JvmExit.AFTER_RESPONSE : server);
    } catch (RuntimeException | Error e) {
      teardown.stopAll();
      throw e;
    }
  }

  /** How long the start waits for the first convergence pass to finish or find work at most. */
  private static final Duration FIRST_PASS_WAIT = Duration.ofSeconds(60);

  private static KpmRuntime startAll(Settings settings, Teardown teardown, ServerControl server) {
    Instant startedAt = Instant.now();
    Settings.Auth auth = settings.auth();
    // Checked before anything starts: a mistyped kpm.auth must not leave kpm open.
    Set<AuthMethod> methods = Authenticator.parse(auth.methods());
    ClientAddresses clients = ClientAddresses.trusting(auth.trustedProxies());
    HomeLayout layout = HomeLayout.create(settings.home());
    // Pushed first, so closed last: every other component may still count while it stops.
    KpmMetrics metrics =
        teardown.push(
            "metrics",
            new KpmMetrics(
                Stream.of(PluginType.values()).map(PluginType::word).collect(Collectors.toSet())));
    AtomicBoolean reconciled = new AtomicBoolean();
    Settings.Db dbSettings = settings.db();
    Database db =
        teardown.push(
            "database pool",
            Database.open(
                dbSettings.url(),
                dbSettings.user(),
                dbSettings.password(),
                dbSettings.poolSize(),
                new Database.Timeouts(dbSettings.acquireTimeout(), dbSettings.statementTimeout())));
    LOG.info(() -> "database: " + db.description());
    if (db.ownsPool()) {
      metrics.databasePool(() -> db.poolUsage().map(KpmRuntime::pool).orElse(null));
    }
    Migrations.migrate(db.dataSource());
    List<Class<?>> entities = new ArrayList<>(PluginService.entities());
    entities.addAll(ApiTokens.entities());
    EntityManagerFactory emf = teardown.push("JPA", Jpa.open(db, entities));
    Transactions tx = new Transactions(emf, db::dropConnections);
    String nodeId = nodeId(settings.audit().nodeId(), settings.home());
    LOG.info(() -> "node id: " + nodeId);
    AuditTrail audit =
        teardown.push(
            "audit trail",
            new AuditTrail(tx, nodeId, settings.audit().retention(), Clock.systemUTC()));
    audit.listen(changes(metrics));
    WorkerPool workers =
        teardown.push(
            "worker pool", WorkerPool.start(settings.workerThreads(), settings.shutdownGrace()));
    Settings.Install i = settings.install();
    EngineCheck engine =
        new EngineCheck(
            new EngineCheck.Config(
                i.engine().binary(), i.engine().check(), i.engine().refuseUnknown()));
    Settings.Fleet fleet = settings.fleet();
    // Registered before anything is written: every node's applied state refers to its row.
    NodeRegistry node =
        teardown.push(
            "fleet node",
            NodeRegistry.start(
                tx,
                NodeInfo.ofThisJvm(
                    nodeId,
                    fleet.address().isEmpty() ? hostName() : fleet.address(),
                    kpmVersion(),
                    engineSummary(engine.engine()),
                    settings.home().toString(),
                    fleet.arch()),
                fleet.heartbeat()));
    NodeStates nodeStates = new NodeStates(tx, nodeId);
    ProcessSnapshots processes =
        teardown.push("fleet process statuses", new ProcessSnapshots(tx, nodeId));
    RegistryCache registry = new RegistryCache(tx);
    PluginStore store = new PluginStore(tx, registry, audit, new FleetLedger(nodeId));
    EventBus events = teardown.push("event stream", new EventBus(EVENT_BUFFER));
    LifecycleEvents lifecycle = new LifecycleEvents(events);
    store.onCommitted(
        e -> {
          lifecycle.committed(e);
          processes.request();
        });
    InstallRecords records = new InstallRecords(tx, nodeId);
    Children children = new Children(layout.children());
    stopSurvivors(children, settings.portable().stopGrace());
    Set<String> heldHere = heldHere(nodeStates);
    reconcile(
        new Reconciler(
            layout,
            store,
            records,
            audit,
            (type, name) -> heldHere.contains(NodeStates.key(type, name))));
    registry.current(); // the first read finds the snapshot loaded
    reconciled.set(true);
    ArtifactStore artifacts = new ArtifactStore(tx);
    NodeDirectory nodes = new NodeDirectory(tx, audit, nodeId, fleet.downAfter());
    Downloader downloader = teardown.push("downloader", downloader(i, layout));
    downloader.onDownloaded(metrics::downloaded);
    InstallTools tools =
        teardown
            .push(
                "install jobs",
                InstallTools.of(
                    layout,
                    downloader,
                    limits(i),
                    i.scriptTimeout(),
                    workers.executor(),
                    server,
                    children,
                    Pauses.of(settings.testPauseAt(), layout.pauses()),
                    engine))
            .storingArtifacts(artifacts, nodes::othersLive);
    PortableSupervisor supervisor =
        teardown.push(
            "portable plugins",
            new PortableSupervisor(
                portable(settings, children),
                workers.executor(),
                lifecycle.host(hostEvents(audit, metrics, processes))));
    processes.from(() -> statuses(supervisor));
    metrics.portableProcesses(
        Stream.of(ProcessState.values()).map(ProcessState::word).toList(),
        supervisor::countByStatus);
    JobService jobs = new JobService(tools, records, audit);
    jobs.onChange(lifecycle::job);
    PortableService portables = new PortableService(tools, store, records, supervisor, jobs);
    portables.startInstalled();
    ApiTokens tokens =
        teardown.push(
            "API tokens", new ApiTokens(tx, auth.tokenMaxLifetime(), Clock.systemUTC(), audit));
    if (methods.contains(AuthMethod.TOKEN)) {
      tokens.ensureInitialAdmin(settings.home().resolve("etc").resolve("initial-admin-token"));
    }
    SecurityPolicy security =
        new SecurityPolicy(
            Authenticator.of(
                auth.methods(),
                settings.home(),
                auth.requireExp(),
                oidc(auth.oidc()),
                Optional.of(tokens),
                Clock.systemUTC()),
            clients,
            new FailureLimiter(auth.maxFailures()),
            auth.protectedMode(),
            auth.maxBodyBytes(),
            i.maxUploadBytes(),
            auth.corsOrigins());
    LOG.info(
        () ->
            security.authenticator().none()
                ? "authentication: none"
                    + (auth.protectedMode() ? " (protected mode: loopback clients only)" : "")
                : "authentication: " + auth.methods());
    Convergence convergence =
        teardown.push(
            "fleet convergence",
            new Convergence(
                new Convergence.Node(
                    tools,
                    store,
                    records,
                    supervisor,
                    nodeStates,
                    artifacts,
                    audit,
                    node.self().arch()),
                fleet.artifactGrace(),
                registry::changed,
                e -> {
                  lifecycle.committed(e);
                  processes.request();
                }));
    PluginService pluginReads =
        new PluginService(
            tx,
            layout,
            Prebuild.of(i.pluginHosts(), i.engineVersion()),
            registry,
            prebuildChecks(teardown, downloader, i.prebuildVerifyTtl()));
    InstallService installs = new InstallService(tools, store, records, jobs);
    // data/init.json: once the node has caught up with the fleet, so the import sees its plugins.
    DataTransfer initData = new DataTransfer(pluginReads, installs, portables, nodes);
    convergence.afterFirstPass(
        () ->
            workers
                .executor()
                .execute(
                    () ->
                        InitRuleset.importOnce(
                            layout.base().resolve("data").resolve("init.json"),
                            nodeStates,
                            initData)));
    // Before serving: a node with nothing to catch up with is ready at once (bounded by the
    // database's timeouts; a node with work serves meanwhile, not ready until it is done).
    convergence.startFirstPass(FIRST_PASS_WAIT);
    // Closed first: no notification reaches a convergence that has stopped.
    teardown.push(
        "fleet listener",
        FleetSignal.start(
            () -> db.dedicatedConnection(fleet.reconcile().plusSeconds(30)),
            nodeId,
            fleet.reconcile(),
            convergence));
    Uploads uploads =
        new Uploads(layout.uploads(), i.maxUploadBytes(), auth.maxBodyBytes(), downloader);
    return new KpmRuntime(
        teardown,
        new Services(
            pluginReads,
            installs,
            new CompatService(store, layout, tools.engine()),
            jobs,
            events,
            portables,
            new PortableRuntime(store, supervisor, metrics::functionCalled),
            tokens,
            audit,
            uploads,
            startedAt,
            new Probes(reconciled::get, db::ping, metrics).convergedWhen(convergence::converged),
            nodes,
            uploads),
        security,
        audit,
        metrics);
  }

  /** The audited plugin changes, as metrics: started, and ended with their one event. */
  private static ActListener changes(KpmMetrics metrics) {
    return new ActListener() {
      @Override
      public void opened(AuditAction action) {
        metrics.changeStarted(action.wire());
      }

      @Override
      public void ended(AuditAction opened, AuditEvent event) {
        metrics.changeEnded(
            opened.wire(),
            event.action(),
            event.pluginType(),
            event.outcome(),
            Duration.ofMillis(event.durationMs() == null ? 0 : event.durationMs()));
      }
    };
  }

  private static KpmMetrics.Pool pool(Database.PoolUsage u) {
    return new KpmMetrics.Pool() {
      @Override
      public int active() {
        return u.active();
      }

      @Override
      public int idle() {
        return u.idle();
      }

      @Override
      public int total() {
        return u.total();
      }

      @Override
      public int pending() {
        return u.pending();
      }

      @Override
      public int max() {
        return u.max();
      }
    };
  }

  private static Authenticator.OidcSettings oidc(Settings.Oidc o) {
    return new Authenticator.OidcSettings(
        o.issuer(), o.audience(), o.jwksUrl(), o.roleClaim(), o.roles(), o.refreshLimit());
  }

  /** The plugins this node holds for the fleet (not removed): never auto-loaded at its start. */
  private static Set<String> heldHere(NodeStates states) {
    return states.mine().values().stream()
        .filter(h -> h.state() != NodeStates.State.REMOVED)
        .map(NodeStates.Held::key)
        .collect(Collectors.toSet());
  }

  private static void reconcile(Reconciler reconciler) {
    try {
      long started = System.nanoTime();
      reconciler.run();
      LOG.info(
          () -> "start-up reconcile done in " + (System.nanoTime() - started) / 1_000_000 + " ms");
    } catch (IOException e) {
      throw new UncheckedIOException("start-up reconcile of the home folder failed", e);
    }
  }

  /** Probes of at most this long each, the whole check of one listing at most the total. */
  static final Duration PREBUILD_PROBE_TIMEOUT = Duration.ofSeconds(5);

  static final Duration PREBUILD_CHECK_TOTAL = Duration.ofSeconds(10);
  static final int PREBUILD_CONCURRENCY = 4;

  /**
   * The prebuild check (docs/api.md §8.12): HEAD requests through the plugin downloader (its
   * policy: hosts, private networks, redirects, TLS) on {@link #PREBUILD_CONCURRENCY} threads of
   * its own.
   */
  private static PrebuildChecks prebuildChecks(
      Teardown teardown, Downloader downloader, Duration ttl) {
    ThreadPoolExecutor threads =
        new ThreadPoolExecutor(
            PREBUILD_CONCURRENCY,
            PREBUILD_CONCURRENCY,
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            NamedThreads.of("kpm-prebuild-")
                .withContextLoader(ClassLoader.getPlatformClassLoader()));
    threads.allowCoreThreadTimeOut(true);
    teardown.push("prebuild checks", (AutoCloseable) threads::shutdownNow);
    return new PrebuildChecks(
        url -> downloader.reachable(url, PREBUILD_PROBE_TIMEOUT),
        ttl,
        PREBUILD_CHECK_TOTAL,
        PREBUILD_CONCURRENCY,
        threads,
        System::nanoTime);
  }

  private static Downloader downloader(Settings.Install i, HomeLayout layout) {
    return new Downloader(
        new DownloadPolicy(
            i.downloadTimeout(),
            i.maxDownloadBytes(),
            i.confineFileUrls(),
            layout.uploads(),
            i.blockPrivateNetworks(),
            new HashSet<>(i.allowedHosts())));
  }

  private static PortableSettings portable(Settings settings, Children children) {
    Settings.Portable p = settings.portable();
    return new PortableSettings(
        p.pythonBin(),
        p.handshakeTimeout(),
        p.stopGrace(),
        Duration.ofSeconds(30),
        p.socketDir(),
        p.crashLoopRestarts(),
        p.crashLoopWindow(),
        children);
  }

  /**
   * A kpm killed with SIGKILL leaves its plugin processes and install.sh trees running,
   * re-parented; they are stopped before the reconcile undoes the installs they belonged to.
   */
  private static void stopSurvivors(Children children, Duration grace) {
    List<String> stopped = children.stopSurvivors(grace);
    if (!stopped.isEmpty()) {
      LOG.warning("stopped processes an earlier run of kpm left running: " + stopped);
    }
  }

  private static ArchiveLimits limits(Settings.Install i) {
    return new ArchiveLimits(
        i.maxZipEntries(),
        i.maxZipBytes(),
        ArchiveLimits.defaults().ratioThresholdBytes(),
        i.maxZipRatio());
  }

  /**
   * Serves kpm in a servlet context: {@link SecurityFilter} on everything, then {@link FastReads}
   * on {@code /plugins/*}, then the JAX-RS application on {@code /*} (and on {@code /metrics},
   * through {@link ExactPathServlet}). Called while the context starts (a listener or an
   * initializer).
   *
   * <p>The order comes from {@code isMatchAfter}, not from the order of the calls: the gate is
   * matched before any declared filter mapping, FastReads after them. Containers order several
   * "before" mappings differently — Tomcat in the order they are added, GlassFish and Payara each
   * new one first — so two "before" mappings put FastReads in front of the gate on Payara, and its
   * reads answered without any credential.
   */
  public void mount(ServletContext context) {
    FilterRegistration.Dynamic gate =
        context.addFilter(
            "kpm-security", new SecurityFilter(security, audit, metrics::requestServed));
    gate.setAsyncSupported(true);
    gate.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
    FilterRegistration.Dynamic reads =
        context.addFilter("kpm-fast-reads", new FastReads(services.plugins(), stopped::get));
    reads.setAsyncSupported(true);
    reads.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/plugins/*");
    ServletContainer jaxrs = new ServletContainer(application());
    ServletRegistration.Dynamic servlet = context.addServlet("kpm", jaxrs);
    servlet.addMapping("/*");
    servlet.setLoadOnStartup(1);
    servlet.setAsyncSupported(true);
    // Payara Micro maps its MicroProfile Metrics servlet at /metrics/* in a root application,
    // which beats /*: an exact mapping beats both and hands kpm's /metrics to the same servlet.
    ServletRegistration.Dynamic exact =
        context.addServlet("kpm-exact-paths", new ExactPathServlet(jaxrs));
    Set<String> taken = exact.addMapping("/metrics");
    if (!taken.isEmpty()) {
      LOG.warning("the container serves " + taken + " itself: kpm's GET /metrics is not reachable");
    }
    exact.setAsyncSupported(true);
    ConsoleAssets console = ConsoleAssets.of(context);
    ServletRegistration.Dynamic assets = context.addServlet("kpm-console", console);
    // /console/* (also /console) is longer than Jersey's /*, so it wins.
    assets.addMapping(ConsoleAssets.PATH + "/*");
    LOG.fine(() -> "console files: " + console.names());
  }

  /** The host name, as the environment or the kernel says it; "kpm" when neither does. */
  static String hostName() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
      } catch (IOException | RuntimeException e) {
        host = "kpm";
      }
    }
    return host.isBlank() ? "kpm" : host.strip();
  }

  /** This build's version (the same as {@code GET /} reports). */
  static String kpmVersion() {
    try (java.io.InputStream in =
        KpmRuntime.class.getResourceAsStream("/dev/kpm/kpm-version.properties")) {
      java.util.Properties p = new java.util.Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  /**
   * What the fleet records of this node's eKuiper binary: its path and, when kpm could read it, its
   * Go version, architecture, C library and a summary of its package fingerprints (their number and
   * a digest of them all: two engines with the same digest load the same plugins). Null without
   * kpm.engine.binary.
   */
  static java.util.Map<String, Object> engineSummary(EngineCheck.Engine engine) {
    if (engine.path().isEmpty()) {
      return null;
    }
    java.util.Map<String, Object> summary = new java.util.TreeMap<>();
    summary.put("path", engine.path().get().toString());
    if (engine.binary().isEmpty()) {
      summary.put("reason", engine.reason());
      return summary;
    }
    GoBinary b = engine.binary().get();
    b.goVersion().ifPresent(v -> summary.put("goVersion", v));
    summary.put("arch", b.architecture());
    summary.put("libc", b.libc().label());
    summary.put("packages", b.fingerprints().size());
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      new java.util.TreeMap<>(b.fingerprints())
          .forEach(
              (pkg, hash) -> md.update((pkg + "=" + hash + "\n").getBytes(StandardCharsets.UTF_8)));
      summary.put("fingerprints", HexFormat.of().formatHex(md.digest()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return summary;
  }

  /**
   * kpm.node.id, or one derived from the host name and the home folder: the same after a restart,
   * different for two homes on one host.
   */
  static String nodeId(String configured, Path home) {
    if (!configured.isEmpty()) {
      return configured;
    }
    String host = hostName();
    host = host.replaceAll("[^A-Za-z0-9._-]", "-");
    if (host.isEmpty() || !Character.isLetterOrDigit(host.charAt(0))) {
      host = "kpm" + host;
    }
    host = host.length() > 100 ? host.substring(0, 100) : host;
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(home.toString().getBytes(StandardCharsets.UTF_8));
      return host + "-" + HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** This node's portable processes, as the fleet records them per node. */
  private static java.util.Map<String, java.util.Map<String, Object>> statuses(
      PortableSupervisor supervisor) {
    java.util.Map<String, java.util.Map<String, Object>> all = new java.util.TreeMap<>();
    for (String name : supervisor.hosted()) {
      supervisor
          .status(name)
          .ifPresent(
              st -> {
                java.util.Map<String, Object> one = new java.util.LinkedHashMap<>();
                one.put("status", st.state().word());
                one.put("pid", st.pid());
                one.put("restarts", st.restarts());
                one.put("startedAt", st.startedAt() == null ? null : st.startedAt().toString());
                one.put("lastExit", st.lastExit());
                all.put(name, one);
              });
    }
    return all;
  }

  /** The portable host's own actions, as audit events of kpm's. */
  private static HostEvents hostEvents(
      AuditTrail audit, KpmMetrics metrics, ProcessSnapshots processes) {
    return new HostEvents() {
      @Override
      public void started(String plugin, long pid) {
        processes.request();
      }

      @Override
      public void exited(String plugin, long pid, String how) {
        processes.request();
      }

      @Override
      public void stopped(String plugin, long pid) {
        processes.request();
      }

      @Override
      public void restarted(String plugin, String cause, String failure) {
        processes.request();
        metrics.portableRestarted(plugin, failure == null);
        Act act =
            Act.system(AuditAction.PORTABLE_RESTART)
                .plugin(PluginType.PORTABLES.word(), plugin)
                .detail("the process ended: " + cause);
        audit.submit(failure == null ? act.succeeded() : act.ended(500, failure));
      }

      @Override
      public void crashLoop(String plugin, String message) {
        metrics.portableCrashLoop(plugin);
        audit.submit(
            Act.system(AuditAction.PORTABLE_RESTART)
                .plugin(PluginType.PORTABLES.word(), plugin)
                .detail("kpm stops restarting it")
                .ended(500, message));
      }
    };
  }

  /** The audit trail: read by the API, written by every change. */
  public AuditTrail audit() {
    return audit;
  }

  /** A new JAX-RS application over this runtime's services. */
  public KpmApplication application() {
    return new KpmApplication(services, stopped::get);
  }

  /** Stops everything; from then on the API answers 503. Idempotent. */
  @Override
  public void close() {
    stopped.set(true);
    synchronized (teardown) {
      teardown.stopAll();
    }
  }
}
