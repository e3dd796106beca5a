// The fleet: every kpm node sharing this database (GET /fleet/nodes), live or down, and — for
// admins — forgetting a node that is gone for good. Heartbeats age locally between refreshes.

import {call, get, explain, session} from "./api.js";
import {el, clear, notice, when, table, ask} from "./dom.js";

export function render(root) {
  const status = el("div", {"aria-live": "polite"});
  const list = el("div", {id: "fleet"});
  root.append(el("h1", {}, "Fleet"),
    el("p", {}, "Every kpm node that shares this PostgreSQL. A node is down when its heartbeat is older than kpm.fleet.downAfter."),
    status, list);

  async function forget(n) {
    const ok = await ask(`Forget node ${n.id}?`,
      el("p", {}, `Its record and its per-plugin states are removed. Only for a node gone for good: a node that runs again registers again.`),
      [{label: "Cancel", value: false, class: "secondary", id: "dialog-cancel"},
        {label: `Forget ${n.id}`, value: true, class: "danger", id: "dialog-confirm"}]);
    if (!ok) return;
    try {
      await call("DELETE", `/fleet/nodes/${encodeURIComponent(n.id)}`);
      clear(status).append(notice("ok", `Node ${n.id} is forgotten.`));
    } catch (e) {
      clear(status).append(notice("error", explain(e)));
    }
    reload();
  }

  async function reload() {
    try {
      const nodes = await get("/fleet/nodes");
      clear(list).append(table(`${nodes.length} node(s)`,
        ["Node", "State", "Address", "kpm", "Platform", "Last heartbeat", "Pending", "Failed", "Incompatible", "Actions"],
        nodes.map(n => el("tr", {"data-id": n.id},
          el("th", {scope: "row"}, n.id, n.self ? el("div", {class: "muted"}, "this node") : null),
          el("td", {}, el("span", {class: `badge ${n.live ? "ok" : "bad"}`}, n.live ? "live" : "down")),
          el("td", {}, n.address || "—"), el("td", {}, n.version || "—"),
          el("td", {}, `${n.os || "?"} / ${n.arch || "?"}`),
          el("td", {}, when(n.heartbeatAt)),
          el("td", {}, String(n.pending ?? 0)), el("td", {}, String(n.failed ?? 0)),
          el("td", {}, String(n.incompatible ?? 0)),
          el("td", {}, session.isAdmin() && !n.live && !n.self
            ? el("button", {type: "button", class: "danger", "aria-label": `Forget ${n.id}`, onclick: () => forget(n)}, "Forget")
            : ""))), {id: "fleet-nodes"}));
    } catch (e) {
      clear(list).append(notice("error", explain(e)));
    }
  }
  reload();
  const timer = setInterval(reload, 10000);
  return () => clearInterval(timer);
}
