// The "restart eKuiper" banner: a native plugin change takes effect only after eKuiper restarts.
// Kept in sessionStorage until the admin dismisses it.

const KEY = "kpm.restartNeeded";
const $ = id => document.getElementById(id);

export function restartNeeded(what) {
  const list = JSON.parse(sessionStorage.getItem(KEY) || "[]");
  if (!list.includes(what)) list.push(what);
  sessionStorage.setItem(KEY, JSON.stringify(list));
  showBanner();
}

export function showBanner() {
  const list = JSON.parse(sessionStorage.getItem(KEY) || "[]");
  $("banner").hidden = list.length === 0;
  $("banner-text").textContent = list.length === 0 ? "" :
    `Restart eKuiper for native plugin changes to take effect: ${list.join(", ")}.`;
}

export function dismiss() {
  sessionStorage.removeItem(KEY);
  showBanner();
}
