package dev.kpm.testing;

import dev.kpm.Services;
import dev.kpm.api.Health;
import dev.kpm.audit.Act;
import dev.kpm.audit.AuditEntry;
import dev.kpm.audit.AuditQuery;
import dev.kpm.audit.AuditReads;
import dev.kpm.audit.AuditTrail;
import dev.kpm.audit.Verification;
import dev.kpm.fleet.FleetNode;
import dev.kpm.fleet.FleetNodes;
import dev.kpm.fleet.PluginOnNode;
import dev.kpm.install.CompatReport;
import dev.kpm.install.DryRun;
import dev.kpm.install.JobControl;
import dev.kpm.install.JobView;
import dev.kpm.install.PluginChanges;
import dev.kpm.install.PluginCompat;
import dev.kpm.install.PortableChanges;
import dev.kpm.plugin.InstallRecordView;
import dev.kpm.plugin.NativePluginView;
import dev.kpm.plugin.PluginException;
import dev.kpm.plugin.PluginHealth;
import dev.kpm.plugin.PluginMetadata;
import dev.kpm.plugin.PluginReads;
import dev.kpm.plugin.PluginRecordView;
import dev.kpm.plugin.PluginType;
import dev.kpm.plugin.PortablePluginView;
import dev.kpm.plugin.Registry;
import dev.kpm.portable.PortableOperations;
import dev.kpm.portable.PortableStatus;
import dev.kpm.security.Caller;
import dev.kpm.security.Role;
import dev.kpm.security.TokenAdmin;
import dev.kpm.security.TokenView;
import dev.kpm.upload.Upload;
import dev.kpm.upload.UploadException;
import dev.kpm.upload.UploadService;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * In-memory stand-ins for the four services the HTTP API calls, for the HTTP contract tests: every
 * call is recorded ({@link #calls}) and answered from fixed data, or by throwing what a test put in
 * {@link #failure}. What they answer is not kpm's behaviour — the IT tier tests that — only what
 * the HTTP layer must do with it: routes, statuses, media types, bodies, the error shape.
 */
public final class FakeServices
    implements PluginReads,
        PluginChanges,
        PluginCompat,
        JobControl,
        PortableChanges,
        PortableOperations,
        TokenAdmin,
        AuditReads,
        Health {
  /** What the audit endpoints answer. */
  public List<AuditEntry> auditEntries = new ArrayList<>();

  public Verification verification =
      new Verification(true, 0, 0, "0".repeat(64), 0, "0".repeat(64), null, null);

  /** Every call, as {@code method(arg,arg…)}. */
  public final List<String> calls = new ArrayList<>();

  /** When set, every call throws what it supplies. */
  public volatile Supplier<RuntimeException> failure;

  public List<NativePluginView> natives = new ArrayList<>();
  public Map<String, String> udfOwners = Map.of();
  public List<PortablePluginView> portables = new ArrayList<>();
  public PortableStatus status;
  public List<String> tuples = List.of();
  public Optional<String> ack = Optional.empty();

  /** The uploads folder's stand-in: names and contents, under {@code /home/data/uploads}. */
  public final Map<String, String> uploaded = new TreeMap<>();

  public final UploadService uploads = new FakeUploads();

  /** The fleet's nodes the contract tier lists: this node, live, and one down. */
  public List<FleetNode> fleetNodes = defaultFleet();

  /** A fresh copy of the default fleet: this node, live, and one down. */
  public static List<FleetNode> defaultFleet() {
    return new ArrayList<>(List.of(node("node-a", true, true), node("node-b", false, false)));
  }

  public final FleetNodes fleet = new FakeFleet();

  /** Every node's state of a plugin, by {@code type/name}; a plugin missing is unknown (404). */
  public Map<String, List<PluginOnNode>> pluginNodes = new TreeMap<>();

  private static FleetNode node(String id, boolean live, boolean self) {
    return new FleetNode(
        id,
        id + ".example",
        "1.0.0",
        "Linux",
        "amd64",
        null,
        "/srv/kpm-home",
        Instant.parse("2026-01-01T00:00:00Z"),
        Instant.parse("2026-01-01T00:00:05Z"),
        live,
        self,
        0,
        1,
        0,
        0);
  }

  /** What {@code GET /ready} answers: empty for ready, else the reason. */
  public volatile Optional<String> notReady = Optional.empty();

  /** What {@code GET /metrics} answers. */
  public String metricsText =
      "# HELP kpm_jobs_in_flight fake\n# TYPE kpm_jobs_in_flight gauge\nkpm_jobs_in_flight 0.0\n";

  /** The event stream the contract tier serves. */
  public final dev.kpm.events.EventBus events = new dev.kpm.events.EventBus(100);

  public Services services() {
    return new Services(
        this,
        this,
        this,
        this,
        events,
        this,
        this,
        this,
        this,
        uploads,
        Instant.parse("2026-01-01T00:00:00Z"),
        this,
        fleet,
        url -> {
          throw dev.kpm.upload.UploadException.invalid("unsupported url scheme " + url);
        });
  }

  /** The {@code "name"} of a create's JSON body as the real service learns it, or null. */
  private static String nameIn(String body) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\"name\"\\s*:\\s*\"([^\"]*)\"").matcher(body);
    return m.find() ? m.group(1) : null;
  }

  private void record(String method, Object... args) {
    List<String> shown = new ArrayList<>();
    for (Object a : args) {
      shown.add(String.valueOf(a));
    }
    calls.add(method + "(" + String.join(",", shown) + ")");
    if (failure != null) {
      throw failure.get();
    }
  }

  @Override
  public Optional<String> notReady() {
    record("notReady");
    return notReady;
  }

  @Override
  public String metrics() {
    record("metrics");
    return metricsText;
  }

  @Override
  public Registry registry() {
    record("registry");
    return Registry.of(natives, udfOwners);
  }

  @Override
  public Map<String, String> prebuild(PluginType type) {
    record("prebuild", type);
    return Map.of("random", "https://example.com/" + type.word() + "/random.zip");
  }

  @Override
  public Map<String, String> verifiedPrebuild(PluginType type) {
    record("verifiedPrebuild", type);
    return Map.of();
  }

  /** What {@code …/meta} answers, by {@code "<type word>/<name>"}. */
  public final Map<String, byte[]> metas = new java.util.HashMap<>();

  /** The metadata files of the catalogue, by kind (sources, sinks, functions). */
  public final Map<PluginType, List<PluginMetadata.Entry>> catalogue =
      new java.util.EnumMap<>(PluginType.class);

  @Override
  public byte[] meta(PluginType type, String name) {
    record("meta", type, name);
    byte[] bytes = metas.get(type.word() + "/" + name);
    if (bytes == null) {
      throw PluginException.notFound(
          "metadata of " + type.word() + " plugin " + name + " error: not found");
    }
    return bytes;
  }

  @Override
  public byte[] catalogue(PluginType kind) {
    record("catalogue", kind);
    List<PluginMetadata.Entry> entries = catalogue.getOrDefault(kind, List.of());
    return kind == PluginType.FUNCTIONS
        ? PluginMetadata.functions(entries)
        : PluginMetadata.list(entries);
  }

  @Override
  public byte[] catalogueItem(PluginType kind, String name, String contentLanguage) {
    record("catalogueItem", kind, name, String.valueOf(contentLanguage));
    return catalogue.getOrDefault(kind, List.of()).stream()
        .filter(e -> e.name().equals(name))
        .findFirst()
        .flatMap(e -> PluginMetadata.item(e, kind == PluginType.SOURCES))
        .orElseThrow(
            () ->
                PluginException.withCode(
                    PluginException.CONF_KEY, PluginMetadata.notFound(contentLanguage, name)));
  }

  @Override
  public List<PortablePluginView> listPortables() {
    record("listPortables");
    return portables;
  }

  @Override
  public PortablePluginView describePortable(String name) {
    record("describePortable", name);
    return portables.stream()
        .filter(p -> p.name().equals(name))
        .findFirst()
        .orElseThrow(() -> PluginException.notFound("describe portable plugin " + name));
  }

  @Override
  public PluginHealth health(PluginType type, String name) {
    record("health", type, name);
    return new PluginHealth(name, "ok", List.of("plugins/x.so"), List.of());
  }

  /** What {@code GET /inventory/{type}} lists, whatever the type. */
  public List<PluginRecordView> inventory = new ArrayList<>();

  @Override
  public List<PluginRecordView> inventory(PluginType type) {
    record("inventory", type);
    return inventory.stream().filter(v -> v.type() == type).toList();
  }

  @Override
  public String create(PluginType type, String body, Act act) {
    record("create", type, body);
    act.plugin(type.word(), nameIn(body));
    return "created " + type.word();
  }

  @Override
  public String update(PluginType type, String name, String body, Act act) {
    record("update", type, name, body);
    return "updated " + name;
  }

  @Override
  public String drop(PluginType type, String name, boolean stop, Act act) {
    record("drop", type, name, stop);
    return "dropped " + name;
  }

  @Override
  public String register(String name, String body, Act act) {
    record("register", name, body);
    return "registered " + name;
  }

  @Override
  public List<InstallRecordView> history(PluginType type, String name) {
    record("history", type, name);
    return List.of();
  }

  /** What the compat endpoints answer. */
  public CompatReport compatReport =
      new CompatReport(
          "enforce",
          new CompatReport.Engine(null, "not-configured", "kpm.engine.binary is not set", null),
          0,
          List.of());

  @Override
  public CompatReport.Plugin of(PluginType type, String name) {
    record("compat", type, name);
    return compatReport.plugins().stream()
        .filter(p -> p.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                dev.kpm.plugin.PluginException.notFound(
                    "compat of " + type.word() + " plugin " + name + " error: not found"));
  }

  @Override
  public CompatReport all(String status) {
    record("compatAll", status);
    return compatReport;
  }

  /** The jobs the fake knows, by id. */
  public final Map<Long, JobView> jobViews = new TreeMap<>();

  private JobView queued(String type, String operation) {
    JobView v =
        new JobView(
            7, type, "fake", operation, "running", "queued", null, null, null, "fake", null, null,
            null, null);
    jobViews.put(v.id(), v);
    return v;
  }

  @Override
  public JobView submitCreate(PluginType type, String body, Act act) {
    record("submitCreate", type, body);
    return queued(type.word(), "create");
  }

  @Override
  public JobView submitUpdate(PluginType type, String name, String body, Act act) {
    record("submitUpdate", type, name);
    return queued(type.word(), "update");
  }

  @Override
  public JobView submitCreate(String body, Act act) {
    record("submitCreate", PluginType.PORTABLES, body);
    return queued("portables", "create");
  }

  @Override
  public JobView submitUpdate(String name, String body, Act act) {
    record("submitUpdate", PluginType.PORTABLES, name);
    return queued("portables", "update");
  }

  @Override
  public JobView job(long id) {
    record("job", id);
    JobView v = jobViews.get(id);
    if (v == null) {
      throw dev.kpm.plugin.PluginException.notFound("job " + id + " not found");
    }
    return v;
  }

  @Override
  public List<JobView> jobs(String state, int limit) {
    record("jobs", state, limit);
    return List.copyOf(jobViews.values());
  }

  @Override
  public JobView cancel(long id, Act act) {
    record("cancel", id);
    throw dev.kpm.plugin.PluginException.conflict("cannot cancel job " + id + ": it has ended");
  }

  @Override
  public DryRun planCreate(PluginType type, String body, Act act) {
    record("planCreate", type, body);
    return plan("create", type.word());
  }

  @Override
  public DryRun planUpdate(PluginType type, String name, String body, Act act) {
    record("planUpdate", type, name);
    return plan("update", type.word());
  }

  @Override
  public DryRun planDrop(PluginType type, String name, Act act) {
    record("planDrop", type, name);
    return plan("delete", type.word());
  }

  @Override
  public DryRun planCreate(String body, Act act) {
    record("planCreate", PluginType.PORTABLES, body);
    return plan("create", "portable");
  }

  @Override
  public DryRun planUpdate(String name, String body, Act act) {
    record("planUpdate", PluginType.PORTABLES, name);
    return plan("update", "portable");
  }

  @Override
  public DryRun planDrop(String name, Act act) {
    record("planDrop", PluginType.PORTABLES, name);
    return plan("delete", "portable");
  }

  private static DryRun plan(String action, String type) {
    return new DryRun(
        true,
        action,
        type,
        "fake",
        null,
        null,
        null,
        null,
        List.of(),
        List.of(),
        List.of(),
        null,
        null,
        false,
        false,
        null,
        null,
        DryRun.NOTE);
  }

  @Override
  public String create(String body, Act act) {
    record("createPortable", body);
    act.plugin(PluginType.PORTABLES.word(), nameIn(body));
    return "created portable";
  }

  @Override
  public String update(String name, String body, Act act) {
    record("updatePortable", name, body);
    return "updated portable " + name;
  }

  @Override
  public String drop(String name, Act act) {
    record("dropPortable", name);
    return "dropped portable " + name;
  }

  @Override
  public PortableStatus status(String name) {
    record("status", name);
    return status;
  }

  @Override
  public String output(String name) {
    record("output", name);
    return "probe: line\n";
  }

  @Override
  public void startSymbol(String name, String body) {
    record("startSymbol", name, body);
  }

  @Override
  public void stopSymbol(String name, String body) {
    record("stopSymbol", name, body);
  }

  @Override
  public String call(String name, String symbol, String body) {
    record("call", name, symbol, body);
    return "{\"state\":true,\"result\":\"abc\"}";
  }

  @Override
  public List<String> read(String name, String key, int count) {
    record("read", name, key, count);
    return tuples;
  }

  @Override
  public Optional<String> write(String name, String key, String data, boolean ack) {
    record("write", name, key, data, ack);
    return this.ack;
  }

  @Override
  public Created create(String name, String role, Duration lifetime, Caller by, Act act) {
    record("createToken", name, role, lifetime, by.subject());
    Instant at = Instant.parse("2026-01-01T00:00:00Z");
    return new Created(
        new TokenView(
            1,
            name,
            Role.parse(role).orElseThrow(),
            "kpm_…abc",
            at,
            by.subject(),
            at.plus(lifetime == null ? Duration.ofDays(1) : lifetime),
            null,
            null,
            null),
        "kpm_secret");
  }

  @Override
  public List<TokenView> list() {
    record("listTokens");
    return List.of();
  }

  @Override
  public TokenView revoke(long id, Caller by, Act act) {
    record("revokeToken", id, by.subject());
    throw dev.kpm.security.TokenRequestException.notFound("token " + id + " not found");
  }

  @Override
  public AuditTrail.Page page(AuditQuery query) {
    record("auditPage", query);
    List<AuditEntry> page =
        auditEntries.stream()
            .filter(e -> query.cursor() == null || e.seq() < query.cursor())
            .limit(query.limit() + 1L)
            .toList();
    if (page.size() > query.limit()) {
      return new AuditTrail.Page(page.subList(0, query.limit()), page.get(query.limit() - 1).seq());
    }
    return new AuditTrail.Page(page, null);
  }

  @Override
  public void export(AuditQuery query, Consumer<AuditEntry> out) {
    record("auditExport", query);
    auditEntries.forEach(out);
  }

  @Override
  public Verification verify() {
    record("auditVerify");
    return verification;
  }

  /** Who installed what, by plugin name, for {@link #installers}. */
  public Map<String, String> installers = Map.of();

  @Override
  public Map<String, String> installers(String pluginType) {
    record("installers", pluginType);
    return installers;
  }

  /**
   * In-memory uploads: a form's whole body, or a JSON body, is kept as the content of a file named
   * {@code form} or {@code json}; deleting a name that is not there is a 404.
   */
  private final class FakeUploads implements UploadService {
    private static final Path FOLDER = Path.of("/home/data/uploads");

    @Override
    public List<Path> list() {
      record("listUploads");
      return uploaded.keySet().stream().map(FOLDER::resolve).toList();
    }

    @Override
    public Upload saveForm(String contentType, InputStream body) {
      record("saveForm", contentType);
      return keep("form", body);
    }

    @Override
    public Upload saveJson(InputStream body) {
      record("saveJson");
      return keep("json", body);
    }

    private Upload keep(String name, InputStream body) {
      try {
        String content = new String(body.readAllBytes(), StandardCharsets.UTF_8);
        uploaded.put(name, content);
        return new Upload(name, FOLDER.resolve(name), content.length(), "");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void delete(String name) {
      record("deleteUpload", name);
      if (uploaded.remove(name) == null) {
        throw UploadException.notFound(
            "Error deleting the file: removeat " + name + ": no such file or directory");
      }
    }
  }

  private final class FakeFleet implements FleetNodes {
    @Override
    public List<FleetNode> nodes() {
      record("fleetNodes");
      return List.copyOf(fleetNodes);
    }

    @Override
    public Optional<FleetNode> node(String id) {
      record("fleetNode", id);
      return fleetNodes.stream().filter(n -> n.id().equals(id)).findFirst();
    }

    @Override
    public Forget forget(String id, Act act) {
      record("forgetNode", id);
      Optional<FleetNode> found = fleetNodes.stream().filter(n -> n.id().equals(id)).findFirst();
      if (found.isEmpty()) {
        return new Forget(Outcome.NOT_FOUND, null);
      }
      FleetNode n = found.get();
      if (n.self() || n.live()) {
        return new Forget(n.self() ? Outcome.SELF : Outcome.LIVE, n);
      }
      fleetNodes.remove(n);
      return new Forget(Outcome.FORGOTTEN, n);
    }

    @Override
    public Optional<List<PluginOnNode>> ofPlugin(PluginType type, String name) {
      record("pluginNodes", type.word(), name);
      return Optional.ofNullable(pluginNodes.get(type.word() + "/" + name));
    }

    @Override
    public Reconcile reconcile(String id, Act act) {
      record("reconcileNode", id);
      Optional<FleetNode> found = fleetNodes.stream().filter(n -> n.id().equals(id)).findFirst();
      if (found.isEmpty()) {
        return new Reconcile(Asked.NOT_FOUND, null);
      }
      return new Reconcile(found.get().live() ? Asked.REQUESTED : Asked.DOWN, found.get());
    }

    private volatile String importStatus;

    @Override
    public Optional<String> importStatus() {
      return Optional.ofNullable(importStatus);
    }

    @Override
    public void recordImportStatus(String status, java.time.Instant at) {
      importStatus = status;
    }
  }
}
