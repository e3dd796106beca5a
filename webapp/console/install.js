// Install and update: from the verified prebuild catalogue, a URL, or an uploaded zip. A dry run
// comes first and shows what would change; the install then runs as a job (Prefer:
// respond-async) whose phase, bytes and install.sh output are shown as they happen.

import {call, get, explain, unescapeHtml} from "./api.js";
import {el, clear, notice, when, bytes} from "./dom.js";
import {onEvent} from "./events.js";
import {restartNeeded} from "./banner.js";
import {TYPES} from "./plugins.js";

const PHASES = {
  "queued": 2, "downloading": 5, "verifying": 62, "storing": 66, "extracting": 70, "running install.sh": 80,
  "committing": 92, "starting process": 96, "done": 100,
};

export function render(root, params) {
  const update = params[0] === "update";
  const type0 = TYPES.includes(params[1]) ? params[1] : "sources";
  const name0 = update ? params[2] || "" : "";
  const $ = {};
  const field = (id, label, input, hint) => el("div", {class: "field"},
    el("label", {for: id}, label), input, hint ? el("p", {class: "hint", id: id + "-hint"}, hint) : null);

  $.type = el("select", {id: "install-type", disabled: update},
    TYPES.map(t => el("option", {value: t, selected: t === type0}, t)));
  $.name = el("input", {id: "install-name", value: name0, readonly: update, autocomplete: "off", required: true});
  $.url = el("input", {id: "install-url", type: "url", placeholder: "https://…/plugin.zip", autocomplete: "off"});
  $.file = el("input", {id: "install-file", type: "file", accept: ".zip,application/zip"});
  $.catalogue = el("select", {id: "install-catalogue"}, el("option", {value: ""}, "— load the catalogue —"));
  $.sha = el("input", {id: "install-sha256", autocomplete: "off", spellcheck: "false",
    pattern: "[0-9a-fA-F]{64}", "aria-describedby": "install-sha256-hint"});
  $.paras = el("textarea", {id: "install-paras", rows: 2, "aria-describedby": "install-paras-hint"});
  $.functions = el("input", {id: "install-functions", autocomplete: "off", "aria-describedby": "install-functions-hint"});
  $.dry = el("button", {type: "button", id: "dry-run"}, "Dry run");
  $.go = el("button", {type: "button", id: "install-go", disabled: true}, update ? "Update" : "Install");
  $.plan = el("div", {id: "plan", "aria-live": "polite"});
  $.progress = el("progress", {id: "install-progress", max: 100, value: 0, "aria-labelledby": "install-phase"});
  $.phase = el("span", {id: "install-phase"}, "not started");
  $.output = el("pre", {id: "install-output", class: "output", tabindex: 0, role: "log", "aria-label": "install.sh output"});
  $.result = el("div", {id: "install-result", "aria-live": "assertive"});
  $.jobs = el("div", {id: "jobs"});

  const mode = el("fieldset", {class: "modes"}, el("legend", {}, "Where the zip comes from"),
    ["catalogue", "url", "upload"].map(m => el("label", {class: "inline"},
      el("input", {type: "radio", name: "mode", value: m, id: `mode-${m}`, checked: m === "url"}),
      {catalogue: " Prebuild catalogue", url: " URL", upload: " Upload a zip"}[m])));
  const catalogueField = field("install-catalogue", "Verified prebuild plugin", $.catalogue);
  const urlField = field("install-url", "Zip URL (http, https or file)", $.url);
  const fileField = field("install-file", "Zip file", $.file);
  const functionsField = field("install-functions", "Function names (optional)", $.functions,
    "Comma-separated; native function plugins only.");

  root.append(
    el("h1", {}, update ? `Update ${type0} plugin ${name0}` : "Install a plugin"),
    el("form", {id: "install-form", class: "grid", novalidate: true, onsubmit: ev => ev.preventDefault()},
      field("install-type", "Type", $.type),
      field("install-name", "Name", $.name),
      mode, catalogueField, urlField, fileField,
      field("install-sha256", "SHA-256 (optional)", $.sha, "64 hexadecimal digits; kpm refuses a zip with another digest."),
      field("install-paras", "Shell parameters for install.sh (optional)", $.paras, "One per line."),
      functionsField,
      el("div", {class: "actions"}, $.dry, $.go)),
    el("h2", {}, "Dry run"), $.plan,
    el("h2", {}, "Progress"),
    el("div", {class: "progress"}, $.progress, " ", $.phase),
    el("h3", {}, "install.sh output"), $.output, $.result,
    el("h2", {}, "Recent jobs"), $.jobs);

  let planned = null;
  let uploaded = null;
  const modeNow = () => root.querySelector("input[name=mode]:checked").value;
  const showMode = () => {
    const m = modeNow();
    catalogueField.hidden = m !== "catalogue";
    urlField.hidden = m !== "url";
    fileField.hidden = m !== "upload";
    functionsField.hidden = $.type.value !== "functions";
    if (m === "catalogue") loadCatalogue();
  };
  const invalidate = () => { planned = null; $.go.disabled = true; };
  root.querySelectorAll("input, select, textarea").forEach(i => i.addEventListener("input", invalidate));
  root.querySelectorAll("input[name=mode]").forEach(i => i.addEventListener("change", showMode));
  $.type.addEventListener("change", () => { showMode(); $.catalogue.dataset.type = ""; });
  $.file.addEventListener("change", () => { uploaded = null; });
  $.catalogue.addEventListener("change", () => {
    const o = $.catalogue.selectedOptions[0];
    if (o && o.value) {
      if (!update) $.name.value = o.textContent;
      $.url.value = o.value;
    }
  });

  async function loadCatalogue() {
    if ($.catalogue.dataset.type === $.type.value) return;
    $.catalogue.dataset.type = $.type.value;
    clear($.catalogue).append(el("option", {value: ""}, "loading…"));
    try {
      const list = await get(`/plugins/${$.type.value}/prebuild?verified=true`);
      const entries = Object.entries(list);
      clear($.catalogue).append(el("option", {value: ""},
        entries.length ? "— choose a plugin —" : "— no verified prebuild plugin —"),
        ...entries.map(([n, u]) => el("option", {value: u}, n)));
    } catch (e) {
      clear($.catalogue).append(el("option", {value: ""}, "— unavailable —"));
      clear($.plan).append(notice("error", `The prebuild catalogue is unavailable: ${explain(e)}`));
    }
  }

  /** The create/update body; an upload is stored first and referred to by its file URL. */
  async function body() {
    const b = {name: $.name.value.trim()};
    const m = modeNow();
    if (m === "upload") {
      const f = $.file.files[0];
      if (!f) throw new Error("Choose a zip file to upload.");
      if (!uploaded) {
        const form = new FormData();
        form.append("uploadFile", f, f.name);
        const r = await call("POST", "/config/uploads", {body: form});
        uploaded = "file://" + unescapeHtml(r.text.trim());
      }
      b.file = uploaded;
    } else {
      b.file = (m === "url" ? $.url.value : $.catalogue.value).trim();
    }
    if (!b.name) throw new Error("Enter the plugin's name.");
    if (!b.file) throw new Error(m === "catalogue" ? "Choose a plugin from the catalogue." : "Enter the zip's URL.");
    const sha = $.sha.value.trim();
    if (sha) b.sha256 = sha;
    const paras = $.paras.value.split("\n").map(s => s.trim()).filter(Boolean);
    if (paras.length) b.shellParas = paras;
    const fns = $.functions.value.split(",").map(s => s.trim()).filter(Boolean);
    if ($.type.value === "functions" && fns.length) b.functions = fns;
    return b;
  }

  const target = () => update
    ? {method: "PUT", path: `/plugins/${$.type.value}/${encodeURIComponent($.name.value.trim())}`}
    : {method: "POST", path: `/plugins/${$.type.value}`};

  $.dry.addEventListener("click", async () => {
    invalidate();
    clear($.plan).append(notice("busy", "Dry run: downloading and checking the archive…"));
    try {
      const b = await body();
      const t = target();
      const plan = (await call(t.method, t.path + "?dryRun=true", {body: b})).data;
      planned = b;
      clear($.plan).append(describePlan(plan));
      $.go.disabled = false;
      $.go.focus();
    } catch (e) {
      clear($.plan).append(notice("error", explain(e)));
    }
  });

  $.go.addEventListener("click", async () => {
    if (!planned) return;
    const b = planned;
    const t = target();
    invalidate();
    $.dry.disabled = true;
    clear($.result);
    $.output.textContent = "";
    progress({phase: "queued", state: "running"});
    try {
      const r = await call(t.method, t.path, {body: b, headers: {Prefer: "respond-async"}});
      const job = r.status === 202 ? r.data : null;
      const end = job ? await follow(job.id) : {state: "succeeded", status: r.status, text: r.text, phase: "done"};
      finish(end);
    } catch (e) {
      progress({phase: "failed", state: "failed"});
      clear($.result).append(notice("error", explain(e)));
    } finally {
      $.dry.disabled = false;
      refreshJobs();
    }
  });

  function progress(job) {
    let value = PHASES[job.phase] ?? $.progress.value;
    if (job.phase === "downloading" && job.bytesTotal) {
      value = 5 + Math.round(55 * Math.min(1, (job.bytesDone || 0) / job.bytesTotal));
    }
    $.progress.value = value;
    $.progress.classList.toggle("failed", job.state === "failed");
    let text = job.phase || "";
    if (job.phase === "downloading") text += ` ${bytes(job.bytesDone || 0)} of ${job.bytesTotal ? bytes(job.bytesTotal) : "?"}`;
    $.phase.textContent = text;
    if (job.output != null) {
      const bottom = $.output.scrollTop + $.output.clientHeight >= $.output.scrollHeight - 4;
      $.output.textContent = job.output;
      if (bottom) $.output.scrollTop = $.output.scrollHeight;
    }
  }

  /** Polls the job, and sooner whenever the event stream says it moved; resolves when it ends. */
  function follow(id) {
    return new Promise(resolve => {
      let timer = null;
      let busy = false;
      const off = onEvent(e => { if (e.type === "job" && e.job === id) poll(); });
      async function poll() {
        if (busy) return;
        busy = true;
        clearTimeout(timer);
        try {
          const job = await get(`/jobs/${id}`);
          progress(job);
          if (job.state !== "running") {
            off();
            resolve(job);
            return;
          }
        } catch (e) {
          clear($.result).append(notice("error", explain(e)));
        } finally {
          busy = false;
        }
        timer = setTimeout(poll, 500);
      }
      poll();
    });
  }

  function finish(job) {
    progress(job);
    if (job.state === "succeeded") {
      clear($.result).append(notice("ok", job.text));
      if ($.type.value !== "portables") restartNeeded(`${$.type.value}/${$.name.value.trim()}`);
    } else {
      clear($.result).append(notice("error", job.text || "the install failed"));
    }
  }

  async function refreshJobs() {
    try {
      const jobs = await get("/jobs?limit=10");
      clear($.jobs).append(jobs.length === 0 ? notice("empty", "No jobs yet.") :
        el("ul", {class: "jobs"}, jobs.map(j => el("li", {},
          el("span", {class: `badge ${j.state === "succeeded" ? "ok" : j.state === "failed" ? "bad" : ""}`}, j.state),
          ` #${j.id} ${j.operation} ${j.type}/${j.name} — ${j.phase || ""} — ${when(j.startedAt)}`,
          j.requestedBy ? ` by ${j.requestedBy}` : ""))));
    } catch (e) {
      clear($.jobs).append(notice("error", explain(e)));
    }
  }

  showMode();
  refreshJobs();
  return onEvent(e => { if (e.type === "job" && e.state !== "running") refreshJobs(); });
}

/** The dry run's answer (docs/api.md §8.9) as a list. */
function describePlan(p) {
  const items = [];
  const add = (label, value) => {
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return;
    items.push(el("dt", {}, label),
      el("dd", {}, Array.isArray(value) ? el("ul", {}, value.map(v => el("li", {}, el("code", {}, v)))) : String(value)));
  };
  add("Action", `${p.action} ${p.type} ${p.name}`);
  add("Version", p.versionBefore || p.versionAfter
    ? `${p.versionBefore || "(none)"} → ${p.versionAfter || "(none)"}` : null);
  add("Zip", p.sha256 ? `${p.bytes} bytes, sha256 ${p.sha256}` : null);
  add("Files added", p.added);
  add("Files replaced", p.replaced);
  add("Files removed", p.removed);
  add("Symbols registered", p.symbolsRegistered);
  add("Symbols removed", p.symbolsRemoved);
  add("install.sh", p.installScript ? "would run" : "none in the archive");
  add("Process", p.process);
  add("Compatibility", p.compat ? (p.compat.status || JSON.stringify(p.compat)) : null);
  add("eKuiper restart", p.restartNeeded ? "needed" : "not needed");
  return el("div", {},
    notice("ok", p.note || "dry run: nothing was changed"),
    el("dl", {id: "plan-details", class: "plan"}, items));
}
