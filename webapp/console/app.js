// The console's shell: sign-in, navigation between views (the URL hash), the event stream's
// state, and the "restart eKuiper" banner.

import {call, session, explain, ApiError} from "./api.js";
import {clear} from "./dom.js";
import {restartNeeded, showBanner, dismiss} from "./banner.js";
import * as events from "./events.js";
import * as plugins from "./plugins.js";
import * as install from "./install.js";
import * as board from "./board.js";
import * as udfs from "./udfs.js";
import * as audit from "./audit.js";
import * as tokens from "./tokens.js";
import * as fleet from "./fleet.js";

const views = {plugins, install, board, udfs, fleet, audit, tokens};
const $ = id => document.getElementById(id);
let cleanup = null;

const NATIVE = ["sources", "sinks", "functions"];

async function signIn(token, quiet) {
  session.token = token;
  try {
    const me = await call("GET", "/auth/me", {noSignOut: true});
    session.me = me.data;
  } catch (e) {
    session.token = "";
    session.me = null;
    if (!quiet) {
      const p = $("signin-error");
      p.textContent = e instanceof ApiError && e.status === 401
        ? `The credential was refused: ${e.message}` : explain(e);
      p.hidden = false;
    }
    return false;
  }
  $("signin-error").hidden = true;
  $("signin").hidden = true;
  $("nav").hidden = false;
  $("who").hidden = false;
  const me = session.me;
  $("whoami").textContent = me.method === "none"
    ? "no authentication (loopback, admin)" : `${me.subject} (${me.role})`;
  for (const a of document.querySelectorAll("#nav a")) {
    const adminOnly = ["audit", "tokens"].includes(a.dataset.view);
    a.parentElement.hidden = adminOnly && !session.isAdmin();
  }
  events.start();
  route();
  return true;
}

function signOut(message) {
  events.stop();
  session.token = "";
  session.me = null;
  if (cleanup) cleanup();
  cleanup = null;
  clear($("view"));
  $("nav").hidden = true;
  $("who").hidden = true;
  $("signin").hidden = false;
  const p = $("signin-error");
  p.textContent = message || "";
  p.hidden = !message;
  $("signin-token").value = "";
  $("signin-token").focus();
}

function route() {
  if (!session.me) return;
  const [name, ...params] = (location.hash.replace(/^#/, "") || "plugins/sources").split("/");
  const view = views[name] ? name : "plugins";
  if (cleanup) cleanup();
  cleanup = null;
  for (const a of document.querySelectorAll("#nav a")) {
    if (a.dataset.view === view) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const container = clear($("view"));
  const result = views[view].render(container, params.map(decodeURIComponent));
  cleanup = typeof result === "function" ? result : null;
  const heading = container.querySelector("h1");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
  document.title = `${heading ? heading.textContent : "kpm"} — kpm console`;
}

events.onState((s, detail) => {
  const live = $("live");
  live.textContent = s === "live" ? "live" : s === "reconnecting" ? "reconnecting…" : "events off";
  live.className = "live " + s;
  live.title = detail || "";
});

events.onEvent(e => {
  if (["plugin.created", "plugin.updated", "plugin.deleted"].includes(e.type)
      && NATIVE.includes(e.pluginType)) {
    restartNeeded(`${e.pluginType}/${e.name}`);
  }
});

session.onUnauthorized(error => signOut(`Your credential is no longer accepted: ${error.message}`));

$("signin-form").addEventListener("submit", async ev => {
  ev.preventDefault();
  const token = $("signin-token").value.trim();
  if (!token) {
    $("signin-error").textContent = "Enter an API token or a JWT.";
    $("signin-error").hidden = false;
    return;
  }
  await signIn(token, false);
});
$("signout").addEventListener("click", () => signOut(""));
$("banner-dismiss").addEventListener("click", dismiss);
window.addEventListener("hashchange", route);

showBanner();
// A kept credential, or none at all (kpm.auth=none answers /auth/me for loopback callers).
(async () => {
  if (!(await signIn(session.token, true))) signOut("");
})();
