package dev.kpm.install;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.audit.Act;
import dev.kpm.audit.AuditAction;
import dev.kpm.fleet.FleetNodes;
import dev.kpm.install.layout.InstallRequest;
import dev.kpm.install.layout.Requests;
import dev.kpm.plugin.Ids;
import dev.kpm.plugin.NativePluginView;
import dev.kpm.plugin.PluginException;
import dev.kpm.plugin.PluginReads;
import dev.kpm.plugin.PluginRecordView;
import dev.kpm.plugin.PluginType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The plugin part of eKuiper's {@code /data/export}, {@code /data/import} and {@code
 * /data/import/status} (docs/api.md §8.19). The export renders the registry as eKuiper's ruleset;
 * the import decodes one, checks every plugin entry before changing anything, then creates, updates
 * and deletes through the same {@link PluginChanges} and {@link PortableChanges} calls as {@code
 * POST}/{@code PUT}/{@code DELETE /plugins/…} — there is no second way to install. The last
 * import's per-item errors are kept in memory for {@code /data/import/status}. Thread-safe: imports
 * run one at a time.
 */
public final class DataTransfer {
  /** eKuiper's ruleset sections, in the order its {@code Configuration} struct declares them. */
  public static final List<String> SECTIONS =
      List.of(
          "streams",
          "tables",
          "rules",
          "nativePlugins",
          "portablePlugins",
          "sourceConfig",
          "sinkConfig",
          "connectionConfig",
          "Service",
          "Schema",
          "uploads",
          "scripts");

  static final String NATIVE = "nativePlugins";
  static final String PORTABLE = "portablePlugins";

  /** The per-item text of an entry of a section that is not kpm's. */
  public static final String NOT_IMPORTED =
      "not imported: kpm imports the plugin sections only (nativePlugins, portablePlugins)";

  private static final List<PluginType> NATIVE_TYPES =
      List.of(PluginType.SOURCES, PluginType.SINKS, PluginType.FUNCTIONS);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final java.util.logging.Logger LOG =
      java.util.logging.Logger.getLogger(DataTransfer.class.getName());

  private final PluginReads reads;
  private final PluginChanges natives;
  private final PortableChanges portables;
  private final ReentrantLock importing = new ReentrantLock();
  private volatile Map<String, Map<String, String>> lastStatus = emptySections();
  private final FleetNodes fleet;

  /**
   * @param fleet keeps the last import's status for every node of the fleet: an import on one node
   *     (or data/init.json at its start) and the status read on another agree
   */
  public DataTransfer(
      PluginReads reads, PluginChanges natives, PortableChanges portables, FleetNodes fleet) {
    this.reads = reads;
    this.natives = natives;
    this.portables = portables;
    this.fleet = fleet;
  }

  /**
   * The export.
   *
   * @param body eKuiper's ruleset JSON
   * @param left the ruleset keys of installed plugins left out: they have no recorded URL
   *     (auto-loaded), so no create body can re-create them
   */
  public record Export(byte[] body, List<String> left) {}

  /** An installed plugin as the import compares it with an entry. */
  private record Installed(
      PluginType type,
      String name,
      String url,
      String sha256,
      List<String> shellParas,
      Optional<List<String>> functions) {}

  /** One plugin entry of a ruleset, decoded. */
  private record Entry(
      String section, String key, PluginType type, String name, String body, InstallRequest req) {}

  /** What the import does with one plugin. */
  private record Step(
      String section,
      String key,
      PluginType type,
      String name,
      String action,
      String reason,
      String body) {}

  /**
   * An import's end.
   *
   * @param ok nothing to report: every entry was applied and no section was left out
   * @param configResponse eKuiper's per-section error map, as Go's JSON: the 400 message when not
   *     {@code ok}
   * @param summary one line of what was done, for the audit event's detail
   */
  public record Result(boolean ok, String configResponse, String summary) {}

  public Export export() {
    Map<String, String> nativeBodies = new TreeMap<>();
    Map<String, String> portableBodies = new TreeMap<>();
    List<String> left = new ArrayList<>();
    Map<String, Installed> now = new TreeMap<>();
    Map<String, Installed> portablesNow = new TreeMap<>();
    installed(now, portablesNow);
    now.forEach((key, p) -> put(nativeBodies, left, key, p));
    portablesNow.forEach((key, p) -> put(portableBodies, left, key, p));
    StringBuilder b = new StringBuilder("{");
    for (String section : SECTIONS) {
      if (b.length() > 1) {
        b.append(',');
      }
      Map<String, String> values =
          switch (section) {
            case NATIVE -> nativeBodies;
            case PORTABLE -> portableBodies;
            default -> Map.of();
          };
      b.append(GoJson.quote(section)).append(':').append(GoJson.strings(values));
    }
    b.append('}');
    return new Export(b.toString().getBytes(StandardCharsets.UTF_8), List.copyOf(left));
  }

  private static void put(Map<String, String> bodies, List<String> left, String key, Installed p) {
    if (p.url() == null || p.url().isEmpty()) {
      left.add(key);
    } else {
      bodies.put(key, body(p));
    }
  }

  /**
   * The create body of an installed plugin in Go's field order: eKuiper's {@code name}, {@code
   * file}, {@code shellParas} (left out when empty, as eKuiper's {@code omitempty}), then the
   * declared {@code functions} and kpm's {@code sha256}, each only when there is one.
   */
  private static String body(Installed p) {
    StringBuilder b = new StringBuilder("{\"name\":").append(GoJson.quote(p.name()));
    b.append(",\"file\":").append(GoJson.quote(p.url()));
    if (!p.shellParas().isEmpty()) {
      b.append(",\"shellParas\":").append(GoJson.array(p.shellParas()));
    }
    p.functions().ifPresent(f -> b.append(",\"functions\":").append(GoJson.array(f)));
    if (p.sha256() != null && !p.sha256().isEmpty()) {
      b.append(",\"sha256\":").append(GoJson.quote(p.sha256()));
    }
    return b.append('}').toString();
  }

  /** The installed plugins: native ones by {@code <type>_<name>}, portable ones by name. */
  private void installed(Map<String, Installed> natives, Map<String, Installed> portablesNow) {
    var registry = reads.registry();
    for (PluginType type : NATIVE_TYPES) {
      for (PluginRecordView r : reads.inventory(type)) {
        Optional<List<String>> functions =
            type == PluginType.FUNCTIONS
                ? registry.find(type, r.name()).flatMap(NativePluginView::functions)
                : Optional.empty();
        natives.put(
            type.word() + "_" + r.name(),
            new Installed(type, r.name(), r.sourceUrl(), r.sha256(), paras(r), functions));
      }
    }
    for (PluginRecordView r : reads.inventory(PluginType.PORTABLES)) {
      portablesNow.put(
          r.name(),
          new Installed(
              PluginType.PORTABLES,
              r.name(),
              r.sourceUrl(),
              r.sha256(),
              paras(r),
              Optional.empty()));
    }
  }

  private static List<String> paras(PluginRecordView r) {
    return r.shellParas() == null ? List.of() : r.shellParas();
  }

  /**
   * eKuiper's {@code GET /data/import/status}: the last import's per-item errors — the fleet's
   * newest; this node's own while the database does not answer, or while its own newer status is
   * not recorded there yet (written first, when it can be).
   */
  public String status() {
    try {
      saveUnsaved();
      return unsaved == null
          ? fleet.importStatus().orElseGet(() -> render(lastStatus))
          : render(lastStatus);
    } catch (RuntimeException e) {
      LOG.fine(() -> "the fleet's import status cannot be read; this node's own answers: " + e);
      return render(lastStatus);
    }
  }

  /** When this node's last status is not recorded for the fleet yet: when its import ended. */
  private volatile java.time.Instant unsaved;

  /**
   * Keeps {@code errors} as the last import's status, here and for the fleet. Best effort: the
   * import's changes are made already, so a failed write (the database away, read-only after a
   * fail-over, full) is logged and retried later, never the import's failure.
   */
  private void remember(Map<String, Map<String, String>> errors) {
    lastStatus = errors;
    unsaved = java.time.Instant.now();
    try {
      saveUnsaved();
    } catch (RuntimeException e) {
      LOG.warning(
          () -> "the import status is kept on this node until the database records it: " + e);
    }
  }

  private void saveUnsaved() {
    java.time.Instant at = unsaved;
    if (at != null) {
      fleet.recordImportStatus(render(lastStatus), at);
      if (unsaved == at) {
        unsaved = null;
      }
    }
  }

  /**
   * The ruleset of eKuiper's import body {@code {"content":…}} or {@code {"file":…}}.
   *
   * @param fetch reads the {@code file} URL, or null when this kpm cannot
   * @throws PluginException 400 with eKuiper's texts
   */
  public static String content(String body, Function<String, String> fetch) {
    String prefix = "Invalid body: Error decoding json: ";
    JsonNode root = tree(body, prefix, "EOF", "unexpected EOF");
    if (!root.isObject()) {
      throw PluginException.invalid(
          prefix
              + "json: cannot unmarshal "
              + kind(root)
              + " into Go value of type server.configurationInfo");
    }
    String content = field(root, "content", prefix);
    String file = field(root, "file", prefix);
    if (!content.isEmpty() && !file.isEmpty()) {
      throw PluginException.invalid("Invalid body: Cannot specify both content and file");
    }
    if (content.isEmpty() && file.isEmpty()) {
      throw PluginException.invalid("Invalid body: must specify content or file");
    }
    if (!file.isEmpty()) {
      if (fetch == null) {
        throw PluginException.invalid(
            "Invalid body: kpm cannot read file " + file + "; send the ruleset as content");
      }
      return fetch.apply(file);
    }
    return content;
  }

  private static String field(JsonNode root, String name, String prefix) {
    JsonNode v = root.get(name);
    if (v == null || v.isNull()) {
      return "";
    }
    if (!v.isTextual()) {
      throw PluginException.invalid(
          prefix
              + "json: cannot unmarshal "
              + kind(v)
              + " into Go struct field configurationInfo."
              + name
              + " of type string");
    }
    return v.textValue();
  }

  /**
   * Imports a ruleset. Body-level errors throw (400, nothing changed, the status kept); a bad
   * plugin entry ends the import before anything is changed, with every bad entry in the result.
   *
   * @param partial eKuiper's {@code ?partial=1}: add the missing plugins, keep the others
   * @param acts a new audit act for each plugin change, of the given action
   */
  public Result importRuleset(String content, boolean partial, Function<AuditAction, Act> acts) {
    Map<String, Map<String, String>> sections = sections(content);
    Map<String, Map<String, String>> errors = emptySections();
    List<Entry> entries = entries(sections, errors);
    boolean bad = errors.values().stream().anyMatch(m -> !m.isEmpty());
    int notImported = notImported(sections, errors);
    importing.lock();
    try {
      if (bad) {
        remember(errors);
        return new Result(
            false, render(errors), "nothing imported: invalid entries " + keys(errors));
      }
      List<Step> steps = plan(entries, partial);
      Map<String, Integer> done = new TreeMap<>();
      List<String> failed = new ArrayList<>();
      for (Step s : steps) {
        if (!List.of("create", "update", "delete").contains(s.action())) {
          done.merge(s.action(), 1, Integer::sum);
          continue;
        }
        try {
          apply(s, acts);
          done.merge(s.action(), 1, Integer::sum);
        } catch (RuntimeException e) {
          errors.get(s.section()).put(s.key(), String.valueOf(e.getMessage()));
          failed.add(s.key());
        }
      }
      remember(errors);
      StringBuilder summary = new StringBuilder(partial ? "partial: " : "full: ");
      summary.append(done.isEmpty() ? "no plugin changed" : done.toString());
      if (!failed.isEmpty()) {
        summary.append("; failed ").append(failed);
      }
      if (notImported > 0) {
        summary.append("; not imported ").append(notImportedKeys(sections));
      }
      return new Result(failed.isEmpty() && notImported == 0, render(errors), summary.toString());
    } finally {
      importing.unlock();
    }
  }

  /**
   * What {@link #importRuleset} would do, changing nothing: each create, update and delete runs the
   * plugin's own dry run (§8.9). Bad entries fail as the real import would ({@code ok} false).
   */
  public Object plan(String content, boolean partial, Function<AuditAction, Act> acts) {
    Map<String, Map<String, String>> sections = sections(content);
    Map<String, Map<String, String>> errors = emptySections();
    List<Entry> entries = entries(sections, errors);
    if (errors.values().stream().anyMatch(m -> !m.isEmpty())) {
      return new Result(false, render(errors), "dry run: invalid entries " + keys(errors));
    }
    List<DataPlan.Item> items = new ArrayList<>();
    for (Step s : plan(entries, partial)) {
      String error = null;
      DryRun dry = null;
      if (List.of("create", "update", "delete").contains(s.action())) {
        try {
          dry = dryRun(s, acts);
        } catch (RuntimeException e) {
          error = String.valueOf(e.getMessage());
        }
      }
      items.add(
          new DataPlan.Item(
              s.section(), s.key(), s.type().word(), s.name(), s.action(), s.reason(), error, dry));
    }
    Map<String, List<String>> left = new LinkedHashMap<>();
    for (String section : SECTIONS) {
      Map<String, String> values = sections.get(section);
      if (!section.equals(NATIVE) && !section.equals(PORTABLE) && !values.isEmpty()) {
        left.put(section, List.copyOf(values.keySet()));
      }
    }
    return new DataPlan(true, partial, items, left, DryRun.NOTE);
  }

  private void apply(Step s, Function<AuditAction, Act> acts) {
    boolean portable = s.type() == PluginType.PORTABLES;
    switch (s.action()) {
      case "create" -> {
        Act act = acts.apply(AuditAction.PLUGIN_CREATE);
        if (portable) {
          portables.create(s.body(), act);
        } else {
          natives.create(s.type(), s.body(), act);
        }
      }
      case "update" -> {
        Act act = acts.apply(AuditAction.PLUGIN_UPDATE);
        if (portable) {
          portables.update(s.name(), s.body(), act);
        } else {
          natives.update(s.type(), s.name(), s.body(), act);
        }
      }
      case "delete" -> {
        Act act = acts.apply(AuditAction.PLUGIN_DELETE);
        if (portable) {
          portables.drop(s.name(), act);
        } else {
          natives.drop(s.type(), s.name(), false, act);
        }
      }
      default -> throw new IllegalStateException(s.action());
    }
  }

  private DryRun dryRun(Step s, Function<AuditAction, Act> acts) {
    boolean portable = s.type() == PluginType.PORTABLES;
    return switch (s.action()) {
      case "create" -> {
        Act act = acts.apply(AuditAction.PLUGIN_CREATE);
        yield portable
            ? portables.planCreate(s.body(), act)
            : natives.planCreate(s.type(), s.body(), act);
      }
      case "update" -> {
        Act act = acts.apply(AuditAction.PLUGIN_UPDATE);
        yield portable
            ? portables.planUpdate(s.name(), s.body(), act)
            : natives.planUpdate(s.type(), s.name(), s.body(), act);
      }
      default -> {
        Act act = acts.apply(AuditAction.PLUGIN_DELETE);
        yield portable
            ? portables.planDrop(s.name(), act)
            : natives.planDrop(s.type(), s.name(), act);
      }
    };
  }

  /**
   * The steps, in the order they are applied: deletes first (they free names and function names a
   * create may take), then updates, then creates, then the plugins left as they are.
   */
  private List<Step> plan(List<Entry> entries, boolean partial) {
    Map<String, Installed> nativesNow = new TreeMap<>();
    Map<String, Installed> portablesNow = new TreeMap<>();
    installed(nativesNow, portablesNow);
    List<Step> deletes = new ArrayList<>();
    List<Step> updates = new ArrayList<>();
    List<Step> creates = new ArrayList<>();
    List<Step> kept = new ArrayList<>();
    Map<String, Map<String, Installed>> now = Map.of(NATIVE, nativesNow, PORTABLE, portablesNow);
    Map<String, List<String>> listed =
        Map.of(NATIVE, new ArrayList<>(), PORTABLE, new ArrayList<>());
    for (Entry e : entries) {
      listed.get(e.section()).add(e.key());
      Installed cur = now.get(e.section()).get(e.key());
      if (cur == null) {
        creates.add(step(e, "create", null));
      } else if (same(cur, e.req())) {
        kept.add(step(e, "unchanged", "installed from the same file with the same settings"));
      } else if (partial) {
        kept.add(
            step(
                e,
                "keep",
                "installed, and differs from the file: a partial import installs missing plugins"
                    + " only, as eKuiper's"));
      } else {
        updates.add(step(e, "update", null));
      }
    }
    for (String section : List.of(NATIVE, PORTABLE)) {
      for (Map.Entry<String, Installed> i : now.get(section).entrySet()) {
        if (listed.get(section).contains(i.getKey())) {
          continue;
        }
        Installed p = i.getValue();
        if (partial) {
          kept.add(
              new Step(
                  section,
                  i.getKey(),
                  p.type(),
                  p.name(),
                  "keep",
                  "not in the file: a partial import keeps it",
                  null));
        } else {
          deletes.add(new Step(section, i.getKey(), p.type(), p.name(), "delete", null, null));
        }
      }
    }
    List<Step> all = new ArrayList<>(deletes);
    all.addAll(updates);
    all.addAll(creates);
    all.addAll(kept);
    return all;
  }

  private static Step step(Entry e, String action, String reason) {
    return new Step(e.section(), e.key(), e.type(), e.name(), action, reason, e.body());
  }

  /**
   * Whether an installed plugin already is what an entry asks for: the same URL and shell
   * parameters, the same declared functions, and — when the entry names one — the same sha256.
   */
  private static boolean same(Installed cur, InstallRequest req) {
    return Objects.equals(cur.url(), req.file())
        && cur.shellParas().equals(req.shellParas())
        && cur.functions().equals(req.functions())
        && req.sha256().map(s -> s.equalsIgnoreCase(String.valueOf(cur.sha256()))).orElse(true);
  }

  /** Decodes and checks every plugin entry; a bad one's error goes to {@code errors}. */
  private static List<Entry> entries(
      Map<String, Map<String, String>> sections, Map<String, Map<String, String>> errors) {
    List<Entry> out = new ArrayList<>();
    for (String section : List.of(NATIVE, PORTABLE)) {
      for (Map.Entry<String, String> e : sections.get(section).entrySet()) {
        String key = e.getKey();
        try {
          PluginType type;
          String name;
          if (section.equals(NATIVE)) {
            int u = key.indexOf('_');
            type = u < 0 ? null : nativeType(key.substring(0, u));
            if (type == null) {
              throw PluginException.invalid(
                  "invalid key "
                      + key
                      + ": expected sources_<name>, sinks_<name> or functions_<name>");
            }
            name = key.substring(u + 1);
          } else {
            type = PluginType.PORTABLES;
            name = key;
          }
          InstallRequest req = Requests.install(type, e.getValue());
          Ids.validate(req.name());
          if (!req.name().equals(name)) {
            throw PluginException.invalid(
                "invalid key " + key + ": its body names plugin " + req.name());
          }
          out.add(new Entry(section, key, type, name, e.getValue(), req));
        } catch (PluginException x) {
          errors.get(section).put(key, x.getMessage());
        }
      }
    }
    return out;
  }

  private static PluginType nativeType(String word) {
    return NATIVE_TYPES.stream().filter(t -> t.word().equals(word)).findFirst().orElse(null);
  }

  /** Puts each entry of a section that is not kpm's into {@code errors}; answers how many. */
  private static int notImported(
      Map<String, Map<String, String>> sections, Map<String, Map<String, String>> errors) {
    int n = 0;
    for (String section : SECTIONS) {
      if (section.equals(NATIVE) || section.equals(PORTABLE)) {
        continue;
      }
      for (String key : sections.get(section).keySet()) {
        errors.get(section).put(key, NOT_IMPORTED);
        n++;
      }
    }
    return n;
  }

  private static Map<String, List<String>> notImportedKeys(Map<String, Map<String, String>> s) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    s.forEach(
        (section, values) -> {
          if (!section.equals(NATIVE) && !section.equals(PORTABLE) && !values.isEmpty()) {
            out.put(section, List.copyOf(values.keySet()));
          }
        });
    return out;
  }

  private static List<String> keys(Map<String, Map<String, String>> errors) {
    List<String> out = new ArrayList<>();
    errors.forEach(
        (section, m) -> {
          if (section.equals(NATIVE) || section.equals(PORTABLE)) {
            out.addAll(m.keySet());
          }
        });
    return out;
  }

  /**
   * The ruleset's sections as Go's decoder fills eKuiper's {@code Configuration}: field names match
   * case-insensitively, unknown fields are ignored, null leaves a section empty.
   *
   * @throws PluginException 400 {@code configuration unmarshal with error …}
   */
  static Map<String, Map<String, String>> sections(String content) {
    String prefix = "configuration unmarshal with error ";
    JsonNode root =
        tree(content, prefix, "unexpected end of JSON input", "unexpected end of JSON input");
    if (!root.isObject()) {
      throw PluginException.invalid(
          prefix
              + "json: cannot unmarshal "
              + kind(root)
              + " into Go value of type server.Configuration");
    }
    Map<String, Map<String, String>> out = emptySections();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      String section = section(f.getKey());
      if (section == null || f.getValue().isNull()) {
        continue;
      }
      JsonNode v = f.getValue();
      if (!v.isObject()) {
        throw PluginException.invalid(
            prefix
                + "json: cannot unmarshal "
                + kind(v)
                + " into Go struct field Configuration."
                + section
                + " of type map[string]string");
      }
      Map<String, String> values = out.get(section);
      for (Iterator<Map.Entry<String, JsonNode>> i = v.fields(); i.hasNext(); ) {
        Map.Entry<String, JsonNode> item = i.next();
        JsonNode s = item.getValue();
        if (!s.isTextual() && !s.isNull()) {
          throw PluginException.invalid(
              prefix
                  + "json: cannot unmarshal "
                  + kind(s)
                  + " into Go struct field Configuration."
                  + section
                  + " of type string");
        }
        values.put(item.getKey(), s.isNull() ? "" : s.textValue());
      }
    }
    return out;
  }

  private static String section(String field) {
    for (String s : SECTIONS) {
      if (s.equals(field)) {
        return s;
      }
    }
    for (String s : SECTIONS) {
      if (s.equalsIgnoreCase(field)) {
        return s;
      }
    }
    return null;
  }

  private static JsonNode tree(String text, String prefix, String empty, String truncated) {
    JsonNode root;
    try (JsonParser parser = JSON.createParser(text == null ? "" : text)) {
      root = parser.readValueAsTree();
    } catch (JsonEOFException e) {
      throw PluginException.invalid(prefix + truncated);
    } catch (JsonParseException e) {
      throw PluginException.invalid(prefix + "invalid character: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw PluginException.invalid(prefix + e.getMessage());
    }
    if (root == null) {
      throw PluginException.invalid(prefix + empty);
    }
    return root;
  }

  private static String kind(JsonNode v) {
    if (v.isTextual()) {
      return "string";
    }
    if (v.isNumber()) {
      return "number";
    }
    if (v.isBoolean()) {
      return "bool";
    }
    return v.isArray() ? "array" : "object";
  }

  private static Map<String, Map<String, String>> emptySections() {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    SECTIONS.forEach(s -> out.put(s, new TreeMap<>()));
    return out;
  }

  /** eKuiper's {@code Configuration} as Go's JSON: sections in struct order, keys sorted. */
  private static String render(Map<String, Map<String, String>> sections) {
    StringBuilder b = new StringBuilder("{");
    for (String section : SECTIONS) {
      if (b.length() > 1) {
        b.append(',');
      }
      b.append(GoJson.quote(section))
          .append(':')
          .append(GoJson.strings(sections.getOrDefault(section, Map.of())));
    }
    return b.append('}').toString();
  }
}
