// API tokens (admins): the list, create (the secret is shown this once), revoke.

import {call, get, explain} from "./api.js";
import {el, clear, notice, when, table, ask} from "./dom.js";

export function render(root) {
  const name = el("input", {id: "token-name", autocomplete: "off", required: true, pattern: "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"});
  const role = el("select", {id: "token-role"}, ["viewer", "operator", "admin"].map(r => el("option", {value: r}, r)));
  const expires = el("select", {id: "token-expires"},
    [["P30D", "30 days"], ["P90D", "90 days"], ["P366D", "a year (the longest)"], ["PT12H", "12 hours"]]
      .map(([v, l]) => el("option", {value: v}, l)));
  const created = el("div", {id: "token-created", "aria-live": "polite"});
  const status = el("div", {"aria-live": "polite"});
  const list = el("div", {id: "token-list"});

  root.append(el("h1", {}, "API tokens"),
    el("p", {}, "Tokens for people and automation. kpm keeps only a hash: the secret is shown once, when the token is created."),
    el("form", {id: "token-form", class: "grid", onsubmit: ev => { ev.preventDefault(); create(); }},
      el("div", {class: "field"}, el("label", {for: "token-name"}, "Name"), name),
      el("div", {class: "field"}, el("label", {for: "token-role"}, "Role"), role),
      el("div", {class: "field"}, el("label", {for: "token-expires"}, "Expires in"), expires),
      el("div", {class: "actions"}, el("button", {type: "submit", id: "token-create"}, "Create token"))),
    created, status, list);

  async function create() {
    clear(created);
    try {
      const t = (await call("POST", "/auth/tokens", {body: {name: name.value.trim(), role: role.value, expiresIn: expires.value}})).data;
      const secret = el("input", {id: "token-secret", readonly: true, value: t.token, "aria-describedby": "token-secret-note"});
      created.append(el("div", {class: "secret"},
        el("label", {for: "token-secret"}, `Secret of ${t.name} (${t.role})`), secret,
        el("button", {type: "button", class: "secondary", onclick: async () => {
          secret.select();
          try { await navigator.clipboard.writeText(t.token); } catch (e) { document.execCommand("copy"); }
        }}, "Copy"),
        el("p", {id: "token-secret-note", class: "warn"}, "Copy it now: kpm shows it this once and cannot show it again.")));
      name.value = "";
      secret.focus();
      reload();
    } catch (e) {
      created.append(notice("error", explain(e)));
    }
  }

  async function revoke(t) {
    const ok = await ask(`Revoke token ${t.name}?`,
      el("p", {}, `Requests with it are refused at once (${t.role}, ends in …${t.hint}).`),
      [{label: "Cancel", value: false, class: "secondary", id: "dialog-cancel"},
        {label: `Revoke ${t.name}`, value: true, class: "danger", id: "dialog-confirm"}]);
    if (!ok) return;
    try {
      await call("DELETE", `/auth/tokens/${t.id}`);
      clear(status).append(notice("ok", `Token ${t.name} is revoked.`));
    } catch (e) {
      clear(status).append(notice("error", explain(e)));
    }
    reload();
  }

  async function reload() {
    try {
      const tokens = await get("/auth/tokens");
      clear(list).append(tokens.length === 0 ? notice("empty", "No tokens.") :
        table("Tokens, newest first", ["Name", "Role", "Ends in", "Created", "Expires", "Last used", "State", "Actions"],
          tokens.map(t => el("tr", {"data-name": t.name},
            el("th", {scope: "row"}, t.name), el("td", {}, t.role), el("td", {}, `…${t.hint}`),
            el("td", {}, when(t.createdAt), el("div", {class: "muted"}, `by ${t.createdBy}`)),
            el("td", {}, when(t.expiresAt)), el("td", {}, when(t.lastUsedAt)),
            el("td", {}, t.revokedAt ? `revoked ${when(t.revokedAt)} by ${t.revokedBy}` : "live"),
            el("td", {}, t.revokedAt ? "" : el("button", {type: "button", class: "danger",
              "aria-label": `Revoke ${t.name}`, onclick: () => revoke(t)}, "Revoke")))), {id: "tokens"}));
    } catch (e) {
      clear(list).append(notice("error", explain(e)));
    }
  }
  reload();
}
