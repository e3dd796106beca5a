// DOM helpers. Everything that comes from kpm or a plugin (names, output, metadata, messages) is
// put into the page as text nodes: nothing here ever parses a string as HTML.

/** el("td", {class: "x"}, "text", child, …): attributes are set one by one, children as text. */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key === "text") {
      node.textContent = String(value);
    } else if (value === true) {
      node.setAttribute(key, "");
    } else {
      node.setAttribute(key, String(value));
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

/** A link only for http(s) URLs; any other scheme (javascript:, data:) is shown as text. */
export function urlText(url) {
  if (!url) return "—";
  try {
    const u = new URL(url);
    if (u.protocol === "http:" || u.protocol === "https:") {
      return el("a", {href: u.href, rel: "noopener noreferrer", target: "_blank"}, url);
    }
  } catch (e) {
    // not a URL: text
  }
  return url;
}

export function when(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString();
}

export function duration(ms) {
  if (ms == null || ms < 0) return "—";
  let s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400); s %= 86400;
  const h = Math.floor(s / 3600); s %= 3600;
  const m = Math.floor(s / 60); s %= 60;
  if (d) return `${d}d ${h}h ${m}m`;
  if (h) return `${h}h ${m}m ${s}s`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}

export function bytes(n) {
  if (n == null) return "?";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** A table with a caption, header cells with scope, and rows of cells (strings or nodes). */
export function table(caption, headers, rows, attrs) {
  return el("div", {class: "table-wrap"},
    el("table", attrs || {},
      el("caption", {}, caption),
      el("thead", {}, el("tr", {}, headers.map(h => el("th", {scope: "col"}, h)))),
      el("tbody", {}, rows)));
}

/** A status line: role=status for news, role=alert for errors. */
export function notice(kind, text) {
  return el("p", {class: kind, role: kind === "error" ? "alert" : "status"}, text);
}

const dialog = () => document.getElementById("dialog");

/**
 * A modal dialog (the native <dialog>: focus stays inside, Escape closes it). Resolves with the
 * value of the button pressed, or null when closed otherwise.
 */
export function ask(title, body, buttons) {
  const d = dialog();
  clear(document.getElementById("dialog-title")).append(title);
  clear(document.getElementById("dialog-body")).append(...[].concat(body));
  const actions = clear(document.getElementById("dialog-actions"));
  return new Promise(resolve => {
    let result = null;
    for (const b of buttons) {
      actions.append(el("button", {
        type: "button", class: b.class || "", id: b.id,
        onclick: () => { result = b.value; d.close(); }
      }, b.label));
    }
    d.addEventListener("close", () => resolve(result), {once: true});
    d.showModal();
    const first = actions.querySelector(".secondary") || actions.querySelector("button");
    if (first) first.focus();
  });
}

export function show(title, body) {
  return ask(title, body, [{label: "Close", value: true, class: "secondary", id: "dialog-close"}]);
}
