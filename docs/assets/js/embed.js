// Inside an embed page: tell the host page how tall the chart is, now and whenever it changes.
const report = () => {
  const height = document.documentElement.scrollHeight;
  if (window.parent !== window) window.parent.postMessage({ type: "btc-embed-size", height }, "*");
};
new ResizeObserver(report).observe(document.body);
window.addEventListener("load", report);
