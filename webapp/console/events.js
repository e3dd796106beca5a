// kpm's event stream (GET /events) read with fetch, because EventSource cannot send the
// Authorization header. Reconnects with Last-Event-ID; a `reset` event tells the views to reload.

import {headers} from "./api.js";

const listeners = new Set();
const stateListeners = new Set();
let controller = null;
let lastId = null;
let retry = null;

export function onEvent(fn) { listeners.add(fn); return () => listeners.delete(fn); }
export function onState(fn) { stateListeners.add(fn); }

function state(s, detail) { stateListeners.forEach(fn => fn(s, detail)); }

function dispatch(event) {
  for (const fn of [...listeners]) {
    try { fn(event); } catch (e) { console.warn("event handler failed", e); }
  }
}

export function start() {
  stop();
  controller = new AbortController();
  read(controller);
}

export function stop() {
  if (retry) clearTimeout(retry);
  retry = null;
  if (controller) controller.abort();
  controller = null;
}

async function read(own) {
  const h = headers({Accept: "text/event-stream"});
  if (lastId != null) h["Last-Event-ID"] = String(lastId);
  try {
    const r = await fetch("/events", {headers: h, signal: own.signal, cache: "no-store"});
    if (!r.ok) {
      state("down", `the event stream answered ${r.status}`);
      if (r.status === 401 || r.status === 403) return;
      throw new Error(`HTTP ${r.status}`);
    }
    state("live");
    const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      buf += value.replace(/\r\n/g, "\n");
      let end;
      while ((end = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const data = block.split("\n").filter(l => l.startsWith("data:"))
          .map(l => l.slice(5).replace(/^ /, "")).join("\n");
        if (!data) continue;
        const event = JSON.parse(data);
        if (event.id != null) lastId = event.id;
        dispatch(event);
      }
    }
    throw new Error("the stream ended");
  } catch (e) {
    if (own.signal.aborted) return;
    state("reconnecting", e.message);
    retry = setTimeout(() => { if (controller === own) read(own); }, 2000);
  }
}
