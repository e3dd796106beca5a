// The UDF registry: every function name native function plugins registered, and its plugin.

import {get, explain} from "./api.js";
import {el, clear, notice, table} from "./dom.js";
import {onEvent} from "./events.js";

export function render(root) {
  const body = el("div", {id: "udfs"});
  const filter = el("input", {id: "udf-filter", type: "search"});
  root.append(el("h1", {}, "UDF registry"),
    el("p", {}, "Function names are one namespace across native function plugins: a name belongs to one plugin."),
    el("div", {class: "toolbar"}, el("label", {for: "udf-filter"}, "Filter"), filter), body);
  let rows = [];
  const draw = () => {
    const q = filter.value.trim().toLowerCase();
    const shown = rows.filter(r => !q || r.name.toLowerCase().includes(q) || r.plugin.toLowerCase().includes(q));
    clear(body).append(rows.length === 0 ? notice("empty", "No functions are registered.") :
      table(`${shown.length} of ${rows.length} functions`, ["Function", "Plugin"],
        shown.map(r => el("tr", {}, el("th", {scope: "row"}, el("code", {}, r.name)),
          el("td", {}, el("a", {href: "#plugins/functions"}, r.plugin))))));
  };
  const reload = async () => {
    try {
      const names = await get("/plugins/udfs");
      rows = await Promise.all(names.map(n => get(`/plugins/udfs/${encodeURIComponent(n)}`)));
    } catch (e) {
      rows = [];
      clear(body).append(notice("error", explain(e)));
      return;
    }
    draw();
  };
  filter.addEventListener("input", draw);
  reload();
  return onEvent(e => {
    if (e.type === "reset" || (e.type.startsWith("plugin.") && e.pluginType === "functions")) reload();
  });
}
