// The portable board: every portable plugin's process, live. The event stream says when a
// process started, exited, restarted or was stopped; the board then re-reads that plugin's status
// (GET /plugins/portables/{name}/status) without reloading the page. Uptime ticks locally.

import {call, get, explain} from "./api.js";
import {el, clear, notice, when, duration, show} from "./dom.js";
import {onEvent} from "./events.js";
import {installLog} from "./plugins.js";

export function render(root) {
  const status = el("div", {"aria-live": "polite"});
  const tbody = el("tbody", {});
  const last = el("p", {id: "board-last", class: "muted", role: "status", "aria-live": "polite"}, "");
  const rows = new Map();

  root.append(
    el("h1", {}, "Portable board"),
    el("p", {}, "Every portable plugin process kpm runs. Updated from the event stream as processes start, exit and restart."),
    last, status,
    el("div", {class: "table-wrap"}, el("table", {id: "board"},
      el("caption", {}, "Portable plugin processes"),
      el("thead", {}, el("tr", {}, ["Plugin", "Status", "PID", "Uptime", "Restarts", "Rules (refCount)", "Last exit", "Actions"]
        .map(h => el("th", {scope: "col"}, h)))),
      tbody)));

  function draw(name, s) {
    let r = rows.get(name);
    if (!r) {
      r = {cells: {}};
      const cell = key => (r.cells[key] = el("td", {"data-field": key}));
      r.tr = el("tr", {"data-name": name},
        el("th", {scope: "row"}, name),
        cell("status"), cell("pid"), cell("uptime"), cell("restarts"), cell("refCount"), cell("lastExit"),
        el("td", {class: "actions"},
          el("button", {type: "button", class: "secondary", "aria-label": `Output of ${name}`,
            onclick: () => output(name)}, "Output"),
          el("button", {type: "button", class: "secondary", "aria-label": `Install log of ${name}`,
            onclick: () => installLog("portables", name)}, "Install log")));
      rows.set(name, r);
      const after = [...tbody.children].find(tr => tr.dataset.name > name);
      tbody.insertBefore(r.tr, after || null);
    }
    r.status = s;
    const badge = {running: "ok", error: "bad", stop: "", initializing: ""}[s.status] ?? "";
    clear(r.cells.status).append(el("span", {class: `badge ${badge}`}, s.status));
    if (s.errMsg) r.cells.status.append(el("div", {class: "muted wrap"}, s.errMsg));
    r.cells.pid.textContent = s.pid ? String(s.pid) : "—";
    r.cells.restarts.textContent = String(s.restarts ?? 0);
    const rules = Object.entries(s.refCount || {});
    r.cells.refCount.textContent = rules.length ? rules.map(([k, v]) => `${k}: ${v}`).join(", ") : "—";
    r.cells.lastExit.textContent = s.lastExit || "—";
    tick(r);
  }

  function tick(r) {
    const s = r.status;
    r.cells.uptime.textContent = s && s.startedAt && s.pid
      ? duration(Date.now() - Date.parse(s.startedAt)) : "—";
    r.cells.uptime.title = s && s.startedAt ? `since ${when(s.startedAt)}` : "";
  }

  async function refresh(name) {
    try {
      draw(name, await get(`/plugins/portables/${encodeURIComponent(name)}/status`));
    } catch (e) {
      if (e.status === 404) {
        const r = rows.get(name);
        if (r) r.tr.remove();
        rows.delete(name);
      } else {
        clear(status).append(notice("error", explain(e)));
      }
    }
  }

  async function reloadAll() {
    try {
      const list = await get("/plugins/portables");
      for (const name of [...rows.keys()]) {
        if (!list.some(p => p.name === name)) { rows.get(name).tr.remove(); rows.delete(name); }
      }
      clear(status).append(list.length === 0 ? notice("empty", "No portable plugins are installed.") : "");
      await Promise.all(list.map(p => refresh(p.name)));
    } catch (e) {
      clear(status).append(notice("error", explain(e)));
    }
  }

  const off = onEvent(e => {
    if (e.type === "reset") { reloadAll(); return; }
    const portable = e.type.startsWith("portable.")
      || (e.type.startsWith("plugin.") && e.pluginType === "portables");
    if (!portable) return;
    last.textContent = `${when(e.at)}: ${e.name} ${e.type.replace(/^(portable|plugin)\./, "")}`
      + (e.exit ? ` (${e.exit})` : "") + (e.cause ? ` (${e.cause})` : "")
      + (e.message ? ` — ${e.message}` : "");
    if (e.type === "plugin.created" || e.type === "plugin.deleted") reloadAll();
    else refresh(e.name);
  });
  const ticker = setInterval(() => rows.forEach(tick), 1000);
  reloadAll();
  return () => { off(); clearInterval(ticker); };
}

async function output(name) {
  let body;
  try {
    const text = (await call("GET", `/plugins/portables/${encodeURIComponent(name)}/output`)).text;
    body = el("pre", {class: "output", tabindex: 0}, text || "(no output)");
  } catch (e) {
    body = notice("error", explain(e));
  }
  await show(`Output of ${name}`, body);
}
