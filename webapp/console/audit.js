// The audit trail (admins): filters, pages newest first, CSV export and the chain check.

import {call, get, explain} from "./api.js";
import {el, clear, notice, when, table} from "./dom.js";

const ACTIONS = ["", "plugin.create", "plugin.update", "plugin.delete", "plugin.dry-run",
  "plugin.autoload", "plugin.reconcile", "functions.register", "symbol.start", "symbol.stop",
  "portable.restart", "job.cancel", "token.create", "token.revoke", "upload.create",
  "upload.delete", "request.refused", "audit.purge"];

export function render(root) {
  const f = {};
  const input = (id, label, node) => {
    f[id] = node;
    node.id = `audit-${id}`;
    return el("div", {class: "field"}, el("label", {for: node.id}, label), node);
  };
  const body = el("div", {id: "audit-events"});
  const status = el("div", {"aria-live": "polite"});
  const more = el("button", {type: "button", class: "secondary", id: "audit-more", hidden: true}, "Older events");
  root.append(el("h1", {}, "Audit trail"),
    el("form", {id: "audit-form", class: "grid filters", onsubmit: ev => { ev.preventDefault(); load(false); }},
      input("principal", "Who (subject)", el("input", {autocomplete: "off"})),
      input("action", "Action", el("select", {}, ACTIONS.map(a => el("option", {value: a}, a || "any")))),
      input("type", "Type", el("select", {}, ["", "sources", "sinks", "functions", "portables", "tokens", "uploads"]
        .map(t => el("option", {value: t}, t || "any")))),
      input("name", "Name", el("input", {autocomplete: "off"})),
      input("outcome", "Outcome", el("select", {}, ["", "ok", "failed", "refused"].map(o => el("option", {value: o}, o || "any")))),
      input("since", "Since", el("input", {type: "date"})),
      input("until", "Until (before)", el("input", {type: "date"})),
      el("div", {class: "actions"},
        el("button", {type: "submit", id: "audit-apply"}, "Apply filters"),
        el("button", {type: "button", class: "secondary", id: "audit-csv", onclick: exportCsv}, "Export CSV"),
        el("button", {type: "button", class: "secondary", id: "audit-verify", onclick: verify}, "Verify the chain"))),
    status, body, more);

  let cursor = null;
  const query = () => {
    const q = new URLSearchParams();
    for (const k of ["principal", "action", "type", "name", "outcome", "since", "until"]) {
      const v = f[k].value.trim();
      if (v) q.set(k, v);
    }
    return q;
  };

  async function load(next) {
    const q = query();
    q.set("limit", "50");
    if (next && cursor) q.set("cursor", cursor);
    try {
      const page = await get(`/audit?${q}`);
      cursor = page.next;
      more.hidden = !cursor;
      const rows = page.events.map(e => el("tr", {},
        el("td", {}, when(e.time)), el("td", {}, e.subject || "—"), el("td", {}, e.action),
        el("td", {}, [e.type, e.name].filter(Boolean).join("/") || "—"),
        el("td", {}, `${e.outcome || ""} ${e.status ?? ""}`.trim()),
        el("td", {class: "wrap"}, [e.error, e.detail].filter(Boolean).join(" — "))));
      if (next) body.querySelector("tbody").append(...rows);
      else clear(body).append(page.events.length === 0 ? notice("empty", "No events match.") :
        table("Audit events, newest first", ["At", "Who", "Action", "Target", "Outcome", "Detail"], rows, {id: "audit-table"}));
      clear(status);
    } catch (e) {
      clear(status).append(notice("error", explain(e)));
    }
  }

  async function exportCsv() {
    try {
      const r = await call("GET", `/audit.csv?${query()}`, {raw: true});
      const blob = await r.response.blob();
      const a = el("a", {href: URL.createObjectURL(blob), download: "kpm-audit.csv"});
      document.body.append(a);
      a.click();
      a.remove();
      clear(status).append(notice("ok", `Exported ${blob.size} bytes as kpm-audit.csv.`));
    } catch (e) {
      clear(status).append(notice("error", explain(e)));
    }
  }

  async function verify() {
    try {
      const v = await get("/audit/verify");
      clear(status).append(v.ok ? notice("ok", `The chain is intact: ${v.checked} events checked.`)
        : notice("error", `The chain is broken at ${JSON.stringify(v.firstBreak)}.`));
    } catch (e) {
      clear(status).append(notice("error", explain(e)));
    }
  }

  more.addEventListener("click", () => load(true));
  load(false);
}
