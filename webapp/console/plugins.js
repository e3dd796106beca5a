// Plugins by type: the inventory (GET /inventory/{type}) with filter and sort; update, delete
// (with a confirmation built from the dry run) and the install log of each plugin.

import {call, get, explain, session} from "./api.js";
import {el, clear, urlText, when, notice, ask, show, table, duration} from "./dom.js";
import {onEvent} from "./events.js";
import {restartNeeded} from "./banner.js";

export const TYPES = ["sources", "sinks", "functions", "portables"];
const WORD = {sources: "source", sinks: "sink", functions: "function", portables: "portable"};

const COLUMNS = [
  {key: "name", label: "Name"},
  {key: "version", label: "Version"},
  {key: "description", label: "Description"},
  {key: "sourceUrl", label: "Source"},
  {key: "sha256", label: "SHA-256"},
  {key: "installedAt", label: "Installed"},
  {key: "health", label: "Health"},
  {key: "compat", label: "Compatibility"},
  {key: "nodesText", label: "Nodes"},
];

/** The fleet's progress with a plugin: applied of live nodes, then what is not. */
function nodesText(n) {
  if (!n) return null;
  const rest = [["failed", n.failed], ["incompatible", n.incompatible], ["pending", n.pending]]
    .filter(([, count]) => count > 0).map(([word, count]) => ` · ${count} ${word}`);
  return `${n.applied}/${n.live}${rest.join("")}`;
}

export function render(root, params) {
  const type = TYPES.includes(params[0]) ? params[0] : "sources";
  let rows = [];
  let sort = {key: "name", dir: 1};
  const status = el("div", {"aria-live": "polite"});
  const filter = el("input", {id: "plugin-filter", type: "search", placeholder: "name, text, URL"});
  const body = el("div", {id: "plugin-table"});

  root.append(
    el("h1", {}, "Plugins"),
    el("nav", {class: "tabs", "aria-label": "Plugin types"},
      el("ul", {}, TYPES.map(t => el("li", {},
        el("a", {href: `#plugins/${t}`, id: `tab-${t}`, "aria-current": t === type ? "page" : null},
          t[0].toUpperCase() + t.slice(1)))))),
    el("div", {class: "toolbar"},
      el("label", {for: "plugin-filter"}, "Filter"), filter,
      session.isAdmin() ? el("a", {class: "button", href: `#install/create/${type}`}, `Install ${WORD[type]} plugin`) : null),
    status, body);

  const draw = () => {
    const q = filter.value.trim().toLowerCase();
    const shown = rows.filter(p => !q || [p.name, p.description, p.sourceUrl, p.version]
      .some(v => v && String(v).toLowerCase().includes(q)));
    shown.sort((a, b) => sort.dir * String(a[sort.key] ?? "").localeCompare(String(b[sort.key] ?? ""),
      undefined, {numeric: true}));
    clear(body);
    if (rows.length === 0) {
      body.append(notice("empty", `No ${WORD[type]} plugins are installed.`));
      return;
    }
    const head = COLUMNS.map(c => el("th", {scope: "col",
      "aria-sort": sort.key === c.key ? (sort.dir > 0 ? "ascending" : "descending") : null},
      el("button", {type: "button", class: "sort", "data-key": c.key,
        onclick: () => { sort = {key: c.key, dir: sort.key === c.key ? -sort.dir : 1}; draw(); }},
        c.label)));
    head.push(el("th", {scope: "col"}, "Actions"));
    body.append(el("div", {class: "table-wrap"}, el("table", {id: "plugins"},
      el("caption", {}, `${shown.length} of ${rows.length} ${type}`),
      el("thead", {}, el("tr", {}, head)),
      el("tbody", {}, shown.map(p => row(type, p, reload))))));
  };

  const reload = async () => {
    try {
      rows = (await get(`/inventory/${type}`)).map(p => ({...p, nodesText: nodesText(p.nodes)}));
      clear(status);
    } catch (e) {
      rows = [];
      clear(status).append(notice("error", explain(e)));
    }
    draw();
  };
  filter.addEventListener("input", draw);
  reload();
  return onEvent(e => {
    if (((e.type.startsWith("plugin.") || e.type.startsWith("fleet.")) && e.pluginType === type)
      || e.type === "reset") reload();
  });
}

function row(type, p, reload) {
  const admin = session.isAdmin();
  return el("tr", {"data-name": p.name},
    el("th", {scope: "row"}, p.name),
    el("td", {}, p.version || "—"),
    el("td", {class: "wrap"}, p.description || "—"),
    el("td", {class: "wrap"}, p.origin === "autoload" && !p.sourceUrl ? "found on disk" : urlText(p.sourceUrl)),
    el("td", {}, p.sha256 ? el("code", {title: p.sha256}, p.sha256.slice(0, 12) + "…") : "—"),
    el("td", {}, when(p.installedAt), p.installedBy ? el("div", {class: "muted"}, `by ${p.installedBy}`) : null),
    el("td", {}, p.health ? el("span", {class: `badge ${p.health === "ok" ? "ok" : "bad"}`}, p.health) : "—"),
    el("td", {}, p.compat ? el("span", {class: `badge ${p.compat === "compatible" ? "ok" : p.compat === "incompatible" ? "bad" : ""}`}, p.compat) : "—"),
    el("td", {}, p.nodes ? el("span", {class: `badge ${p.nodes.failed ? "bad" : p.nodes.applied === p.nodes.live ? "ok" : ""}`,
      title: `${p.nodes.applied} applied, ${p.nodes.pending} pending, ${p.nodes.failed} failed, `
        + `${p.nodes.incompatible} incompatible, of ${p.nodes.live} live nodes`}, p.nodesText) : "—"),
    el("td", {class: "actions"},
      admin ? el("a", {class: "button secondary", href: `#install/update/${type}/${encodeURIComponent(p.name)}`,
        "aria-label": `Update ${p.name}`}, "Update") : null,
      el("button", {type: "button", class: "secondary", "aria-label": `Install log of ${p.name}`,
        onclick: () => installLog(type, p.name)}, "Log"),
      admin ? el("button", {type: "button", class: "danger", "aria-label": `Delete ${p.name}`,
        onclick: () => remove(type, p.name, reload)}, "Delete") : null));
}

/** The install log of a plugin: every create, update and auto-load, newest first. */
export async function installLog(type, name) {
  let body;
  try {
    const records = await get(`/plugins/${type}/${encodeURIComponent(name)}/installs`);
    body = records.length === 0 ? notice("empty", "No install records.") :
      records.map(r => el("section", {class: "record"},
        el("h3", {}, `${r.operation} — ${r.state} — ${when(r.startedAt)}`),
        el("p", {}, `duration ${duration(r.durationMs)}; ${r.bytes ?? "?"} bytes; sha256 ${r.sha256 || "—"}`),
        r.error ? el("p", {class: "error"}, r.error) : null,
        r.stdout ? el("pre", {class: "output"}, r.stdout) : null,
        r.stderr ? el("pre", {class: "output"}, r.stderr) : null));
  } catch (e) {
    body = notice("error", explain(e));
  }
  await show(`Install log of ${name}`, body);
}

/** Delete with a confirmation that says what happens, from the dry run and the live status. */
async function remove(type, name, reload) {
  const path = `/plugins/${type}/${encodeURIComponent(name)}`;
  let plan;
  let status = null;
  try {
    plan = (await call("DELETE", path + "?dryRun=true")).data;
    if (type === "portables") status = await get(path + "/status");
  } catch (e) {
    await show(`Cannot delete ${name}`, notice("error", explain(e)));
    return;
  }
  const lines = [];
  if (type === "portables") {
    const rules = Object.entries(status.refCount || {});
    lines.push(el("p", {}, status.pid
      ? `Its process (pid ${status.pid}) will be killed.` : "It has no running process."));
    lines.push(el("p", {}, rules.length === 0
      ? "No rule has started its sources or sinks."
      : `Rules using its symbols lose them: ${rules.map(([r, n]) => `${r} (${n})`).join(", ")}.`));
    if (plan.symbolsRemoved) lines.push(el("p", {}, `Symbols removed: ${plan.symbolsRemoved.join(", ")}.`));
  } else {
    lines.push(el("p", {}, "eKuiper must restart for the change to take effect; until then a running eKuiper keeps the plugin loaded."));
    if (plan.symbolsRemoved) lines.push(el("p", {}, `Functions released: ${plan.symbolsRemoved.join(", ")}.`));
  }
  if (plan.removed && plan.removed.length) {
    lines.push(el("p", {}, "Files removed:"), el("ul", {}, plan.removed.map(f => el("li", {}, el("code", {}, f)))));
  }
  const ok = await ask(`Delete ${WORD[type]} plugin ${name}?`, lines, [
    {label: "Cancel", value: false, class: "secondary", id: "dialog-cancel"},
    {label: `Delete ${name}`, value: true, class: "danger", id: "dialog-confirm"},
  ]);
  if (!ok) return;
  try {
    const r = await call("DELETE", path);
    if (type !== "portables") restartNeeded(`${type}/${name}`);
    await show("Deleted", notice("ok", r.text));
  } catch (e) {
    await show(`Deleting ${name} failed`, notice("error", explain(e)));
  }
  reload();
}

export {table};
