// Inside an embed page: tell the host page how tall the chart is, now, whenever it changes,
// and whenever the host's helper script asks (it may load after this page).
const report = () => {
  const height = document.documentElement.scrollHeight;
  if (window.parent !== window) window.parent.postMessage({ type: "btc-embed-size", height }, "*");
};
new ResizeObserver(report).observe(document.body);
window.addEventListener("load", report);
window.addEventListener("message", (event) => {
  if (event.data && event.data.type === "btc-embed-measure") report();
});
