// Inside an embed page: follow the reader's colour scheme where the host chose none, and tell
// the host page how tall the content is, now, whenever it changes, and whenever the host's
// helper script asks (it may load after this page).
const root = document.documentElement;
if (root.dataset.btcScheme === "auto") {
  const dark = window.matchMedia("(prefers-color-scheme: dark)");
  const follow = () => document.body.setAttribute("data-md-color-scheme", dark.matches ? "slate" : "default");
  follow();
  dark.addEventListener("change", follow);
}

// The content's own height, not the document's scroll height: that is never less than the
// iframe itself, so an iframe sized once could grow but never shrink.
const report = () => {
  const height = Math.ceil(document.body.getBoundingClientRect().height);
  if (window.parent !== window) window.parent.postMessage({ type: "btc-embed-size", height }, "*");
};
new ResizeObserver(report).observe(document.body);
window.addEventListener("load", report);
window.addEventListener("message", (event) => {
  if (event.source === window.parent && event.data && event.data.type === "btc-embed-measure") report();
});
