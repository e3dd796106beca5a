// kpm's HTTP API, with the signed-in credential on every call. The credential lives in
// sessionStorage: this tab only, gone when it closes.

const KEY = "kpm.credential";

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

let onUnauthorized = () => {};

export const session = {
  get token() { return sessionStorage.getItem(KEY) || ""; },
  set token(t) { if (t) sessionStorage.setItem(KEY, t); else sessionStorage.removeItem(KEY); },
  me: null,
  isAdmin() { return this.me && this.me.role === "admin"; },
  onUnauthorized(fn) { onUnauthorized = fn; },
};

export function headers(extra) {
  const h = Object.assign({}, extra || {});
  if (session.token) h.Authorization = "Bearer " + session.token;
  return h;
}

/** The message of an error answer: eKuiper's {"error":…,"message":…} or the plain text. */
function message(status, text) {
  try {
    const body = JSON.parse(text);
    if (body && typeof body.message === "string") return body.message;
  } catch (e) {
    // not JSON
  }
  return text && text.trim() ? text.trim() : `HTTP ${status}`;
}

/**
 * One call. `body`: an object sent as JSON, a FormData sent as a form, or a string. Resolves with
 * {status, data, text, response}; data is parsed JSON when the answer is JSON. Rejects with an
 * ApiError carrying kpm's exact message for any status ≥ 400.
 */
export async function call(method, path, options) {
  const o = options || {};
  const h = headers(o.headers);
  let body;
  if (o.body instanceof FormData || typeof o.body === "string") {
    body = o.body;
  } else if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    h["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(path, {method, headers: h, body, cache: "no-store"});
  } catch (e) {
    throw new ApiError(0, `kpm did not answer (${e.message}); is it running and reachable?`);
  }
  if (o.raw) {
    if (response.status >= 400) {
      const text = await response.text();
      fail(response.status, text, o);
    }
    return {status: response.status, response};
  }
  const text = await response.text();
  if (response.status >= 400) fail(response.status, text, o);
  let data = null;
  const type = response.headers.get("Content-Type") || "";
  if (type.includes("json") && text) data = JSON.parse(text);
  return {status: response.status, data, text, response};
}

function fail(status, text, o) {
  const error = new ApiError(status, message(status, text), text);
  if (status === 401 && !o.noSignOut) onUnauthorized(error);
  throw error;
}

/** What the user should read for a failed call: 401/403 explained, other errors as kpm said. */
export function explain(error) {
  if (!(error instanceof ApiError)) return String(error && error.message || error);
  if (error.status === 401) return `Not signed in or the credential was refused: ${error.message}`;
  if (error.status === 403) return `Not allowed: ${error.message}`;
  if (error.status === 0) return error.message;
  return error.message;
}

export const get = (path, o) => call("GET", path, o).then(r => r.data);

/** The uploads endpoint answers the stored path HTML-escaped, as eKuiper does. */
export function unescapeHtml(text) {
  return text.replace(/&#34;/g, "\"").replace(/&#39;/g, "'").replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}
