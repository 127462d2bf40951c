// For newsroom pages that embed our charts: resizes each of our iframes to fit its chart.
// Load it with <script src=".../assets/js/embed-host.js" async></script>; nothing inline needed,
// so it works under a strict Content-Security-Policy.
(() => {
  const origin = new URL(document.currentScript ? document.currentScript.src : location.href).origin;
  window.addEventListener("message", (event) => {
    if (event.origin !== origin) return;
    const data = event.data;
    if (!data || data.type !== "btc-embed-size" || typeof data.height !== "number") return;
    for (const frame of document.querySelectorAll("iframe")) {
      if (frame.contentWindow === event.source) frame.style.height = `${Math.ceil(data.height)}px`;
    }
  });
  // Frames that loaded before this (async) script missed their first report: ask again.
  for (const frame of document.querySelectorAll("iframe")) {
    if (frame.contentWindow) frame.contentWindow.postMessage({ type: "btc-embed-measure" }, origin);
  }
})();
