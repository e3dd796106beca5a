package dev.kpm.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * kpm's meters in one Prometheus registry of its own (never Micrometer's global one: two kpm in one
 * JVM, or a redeploy, must not share or leak meters). Every tag value is bounded: plugin types and
 * methods come from fixed lists, request routes are the role table's templates, never raw paths;
 * plugin and function names are only those kpm has installed. Thread-safe; {@link #close()}
 * unregisters the JVM listeners it added.
 *
 * <p>Gauges hold their suppliers strongly: Micrometer's default is a weak reference, and a supplier
 * the wiring made (a lambda, a method reference) has no other referent, so it would be collected
 * and the gauge read NaN.
 *
 * <p>The Prometheus names (docs/api.md §8.13) are Micrometer's renderings of the names below: dots
 * become underscores, timers get {@code _seconds}, counters {@code _total}.
 */
public final class KpmMetrics implements AutoCloseable {
  static final String OTHER = "other";
  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH");
  private static final Set<String> CHANGES =
      Set.of("plugin.create", "plugin.update", "plugin.delete");
  private static final Duration[] INSTALL_BUCKETS = {
    Duration.ofMillis(100),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(2),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofMinutes(1),
    Duration.ofMinutes(2),
    Duration.ofMinutes(5)
  };
  private static final Duration[] FAST_BUCKETS = {
    Duration.ofMillis(1),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(2),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Set<String> pluginTypes;
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final AtomicInteger changesInFlight = new AtomicInteger();
  private final ConcurrentHashMap<String, Timer> requestTimers = new ConcurrentHashMap<>();
  private final AtomicReference<IntSupplier> jobsInFlight =
      new AtomicReference<>(changesInFlight::get);

  /**
   * @param pluginTypes the plugin type words ({@code sources}, …, {@code portables}); any other
   *     type is tagged {@code other}
   */
  public KpmMetrics(Set<String> pluginTypes) {
    this.pluginTypes = Set.copyOf(pluginTypes);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    Gauge.builder("kpm.jobs.in.flight", jobsInFlight, s -> s.get().getAsInt())
        .description("Plugin changes (create, update, delete) started and not yet ended")
        .strongReference(true)
        .register(registry);
  }

  /** Every meter in Prometheus' text format 0.0.4. */
  public String scrape() {
    return registry.scrape();
  }

  /** The content type of {@link #scrape()}. */
  public static String contentType() {
    return "text/plain; version=0.0.4; charset=utf-8";
  }

  /** An audited plugin change has started (the act was opened). */
  public void changeStarted(String action) {
    if (CHANGES.contains(action)) {
      changesInFlight.incrementAndGet();
    }
  }

  /**
   * An audited change has ended with its one event: plugin changes are timed by type, action and
   * outcome. Other actions only end their count in flight, if they started one.
   *
   * @param startedAction the action the change was opened for (a dry run changes the action)
   * @param action the action its event records
   * @param outcome {@code ok}, {@code failed} or {@code refused}
   */
  public void changeEnded(
      String startedAction, String action, String type, String outcome, Duration took) {
    if (CHANGES.contains(startedAction)) {
      changesInFlight.decrementAndGet();
    }
    if (!CHANGES.contains(action)) {
      return;
    }
    Timer.builder("kpm.installs")
        .description(
            "Plugin creates, updates and deletes through the API, from request to their audit"
                + " event")
        .tags("type", type(type), "action", action, "outcome", bounded(outcome))
        .serviceLevelObjectives(INSTALL_BUCKETS)
        .register(registry)
        .record(took);
  }

  /**
   * Replaces what {@code kpm_jobs_in_flight} reports (by default: plugin changes started and not
   * ended); for a job queue that knows better.
   */
  public void jobsInFlight(IntSupplier supplier) {
    jobsInFlight.set(supplier);
  }

  /** A download finished: its bytes, by URL scheme. */
  public void downloaded(String scheme, long bytes) {
    String s = scheme == null ? OTHER : scheme.toLowerCase(Locale.ROOT);
    Counter.builder("kpm.download")
        .baseUnit("bytes")
        .description("Bytes of plugin archives and uploads kpm downloaded completely")
        .tag("scheme", Set.of("http", "https", "file").contains(s) ? s : OTHER)
        .register(registry)
        .increment(bytes);
  }

  /**
   * Portable processes by status: one gauge per status word, each reading {@code counts} (status
   * word to number of plugins).
   */
  public void portableProcesses(List<String> statuses, Supplier<Map<String, Long>> counts) {
    for (String status : statuses) {
      Gauge.builder(
              "kpm.portable.processes", counts, c -> c.get().getOrDefault(status, 0L).doubleValue())
          .description("Portable plugins kpm hosts, by the status of their process")
          .tag("status", status)
          .strongReference(true)
          .register(registry);
    }
  }

  /**
   * kpm restarted a portable plugin's process after it ended.
   *
   * @param started whether the new process passed its handshake
   */
  public void portableRestarted(String plugin, boolean started) {
    Counter.builder("kpm.portable.restarts")
        .description("Restarts of portable plugin processes after they ended unexpectedly")
        .tags("plugin", plugin, "outcome", started ? "ok" : "failed")
        .register(registry)
        .increment();
  }

  /** kpm stopped restarting a portable plugin (crash loop). */
  public void portableCrashLoop(String plugin) {
    Counter.builder("kpm.portable.crash.loops")
        .description("Portable plugins kpm stopped restarting because they ended too often")
        .tag("plugin", plugin)
        .register(registry)
        .increment();
  }

  /** One portable function call over its channel, of a declared function of an installed plugin. */
  public void functionCalled(String plugin, String function, boolean ok, long nanos) {
    Timer.builder("kpm.portable.function.calls")
        .description("Portable function calls (symbol API), from request to the plugin's reply")
        .tags("plugin", plugin, "function", function, "outcome", ok ? "ok" : "failed")
        .serviceLevelObjectives(FAST_BUCKETS)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * One HTTP request answered.
   *
   * @param route the role table's path template, or null for a path it has no row for
   */
  public void requestServed(String route, String method, int status, long nanos) {
    String m = method == null ? OTHER : method.toUpperCase(Locale.ROOT);
    String r = route == null ? OTHER : route;
    String verb = METHODS.contains(m) ? m : OTHER;
    String code = status >= 100 && status < 600 ? (status / 100) + "xx" : OTHER;
    // The hot read path: one map lookup, not a meter id built per request.
    requestTimers
        .computeIfAbsent(
            r + ' ' + verb + ' ' + code,
            k ->
                Timer.builder("kpm.http.requests")
                    .description(
                        "HTTP requests kpm answered, by route template, method and status class")
                    .tags(Tags.of("route", r, "method", verb, "status", code))
                    .serviceLevelObjectives(FAST_BUCKETS)
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** What a connection pool reports; read at each scrape. */
  public interface Pool {
    int active();

    int idle();

    int total();

    int pending();

    int max();
  }

  /**
   * Gauges of kpm's own connection pool; not called when a container's pool is used (the container
   * reports it).
   */
  public void databasePool(Supplier<Pool> pool) {
    Map<String, java.util.function.ToIntFunction<Pool>> states =
        Map.of(
            "active", Pool::active,
            "idle", Pool::idle,
            "total", Pool::total,
            "pending", Pool::pending);
    states.forEach(
        (state, value) ->
            Gauge.builder(
                    "kpm.db.pool.connections",
                    pool,
                    p -> {
                      Pool now = p.get();
                      return now == null ? Double.NaN : value.applyAsInt(now);
                    })
                .description(
                    "Connections of kpm's database pool: active, idle, total, and pending (threads"
                        + " waiting for one)")
                .tag("state", state)
                .strongReference(true)
                .register(registry));
    Gauge.builder(
            "kpm.db.pool.max",
            pool,
            p -> {
              Pool now = p.get();
              return now == null ? Double.NaN : now.max();
            })
        .baseUnit("connections")
        .description("The most connections kpm's database pool opens (kpm.db.poolSize)")
        .strongReference(true)
        .register(registry);
  }

  private String type(String type) {
    return type != null && pluginTypes.contains(type) ? type : OTHER;
  }

  private static String bounded(String outcome) {
    return Set.of("ok", "failed", "refused").contains(outcome) ? outcome : OTHER;
  }

  /** Removes the JVM listeners (GC notifications) and the registry's meters. */
  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
